"""Hot queries compiled once: the ORM writes the SQL, every later call only runs it.

Django compiles a queryset to SQL on every evaluation; for the few queries every room command
runs (the command path, ``docs/performance.md``, "Round 2") that compilation costs more CPU
than the database round trip. ``Prepared`` builds the queryset once per database vendor with
marker values for its parameters, keeps the SQL, the selected columns and their converters,
and afterwards runs the SQL with the real values on a plain cursor: rows, or model instances
(``Model.from_db``, as the ORM builds them).

    _goal = Prepared(lambda goal, field: Goal.objects.filter(pk=goal, action_field_id=field))
    goal = _goal.first(goal_id, field_id)

Only for querysets over one model's own columns (no ``select_related``) whose arguments are
plain ints or strings used as they are (not inside ``__in`` lists), compared for equality;
constants may be anything. An int outside the database's 64-bit range matches no row, as
Django's own integer lookups treat it (SQLite would raise ``OverflowError`` on it, a 500 for
``/api/v1/motions/9223372036854775808/ballot/``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

_INT_MARK = -7_391_204_000_000
_INT_RANGE = range(-(2**63), 2**63)
_STR_MARK = "\x00konsens-prepared-"


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int | None, ...]  # per SQL parameter: the argument it takes, or None
    attnames: tuple[str, ...]  # the selected columns' attributes, in order
    # (column index, the backend's and the field's converters, the column's expression)
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]


class Prepared(Generic[M]):
    def __init__(self, build: Callable[..., QuerySet[M, Any]], *kinds: type) -> None:
        """``build`` takes one argument per parameter; ``kinds``: their types (int or str,
        default all int)."""
        self.build = build
        count = build.__code__.co_argcount
        self.kinds = kinds or (int,) * count
        if len(self.kinds) != count or not set(self.kinds) <= {int, str}:
            raise TypeError("Prepared: one kind (int or str) per argument of build")
        self.model: type[M] | None = None
        self._compiled: dict[str, _Compiled] = {}

    def _marks(self) -> list[Any]:
        return [
            _INT_MARK - i if kind is int else f"{_STR_MARK}{i}" for i, kind in enumerate(self.kinds)
        ]

    def _compile(self, alias: str) -> _Compiled:
        marks = self._marks()
        queryset = self.build(*marks)
        if queryset.query.select_related:
            raise TypeError("Prepared: select_related cannot be mapped by raw()")
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        columns = [expression for expression, _sql, _alias in compiler.select]
        attnames = tuple(
            column.target.attname if hasattr(column, "target") else f"column{index}"
            for index, column in enumerate(columns)
        )
        converters = tuple(
            (index, tuple(functions), expression)
            for index, (functions, expression) in compiler.get_converters(columns).items()
        )
        slots = tuple(
            marks.index(p) if isinstance(p, int | str) and p in marks else None for p in params
        )
        if sorted({s for s in slots if s is not None}) != list(range(len(marks))):
            raise TypeError("Prepared: every argument must appear as a plain parameter")
        return _Compiled(
            sql=sql, params=tuple(params), slots=slots, attnames=attnames, converters=converters
        )

    def _statement(self, args: tuple[Any, ...]) -> tuple[str, _Compiled, list[Any]]:
        for arg, kind in zip(args, self.kinds, strict=True):
            if not isinstance(arg, kind) or isinstance(arg, bool):
                raise TypeError(f"Prepared: {arg!r} is not {kind.__name__}")
        if self.model is None:
            self.model = self.build(*self._marks()).model
        alias = router.db_for_read(self.model)
        key = f"{alias}:{connections[alias].vendor}"
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(alias)
        values = [
            args[slot] if slot is not None else value
            for value, slot in zip(compiled.params, compiled.slots, strict=True)
        ]
        return alias, compiled, values

    def _fetch(self, args: tuple[Any, ...]) -> tuple[str, _Compiled, list[list[Any]]]:
        alias, compiled, values = self._statement(args)
        if any(type(arg) is int and arg not in _INT_RANGE for arg in args):
            return alias, compiled, []  # no row has such a key
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, values)
            rows = [list(row) for row in cursor.fetchall()]
        for row in rows:  # as the compiler's results_iter applies them
            for index, functions, expression in compiled.converters:
                value = row[index]
                for function in functions:
                    value = function(value, expression, connection)
                row[index] = value
        return alias, compiled, rows

    def all(self, *args: Any) -> list[M]:
        alias, compiled, rows = self._fetch(args)
        assert self.model is not None
        return [self.model.from_db(alias, compiled.attnames, row) for row in rows]

    def first(self, *args: Any) -> M | None:
        rows = self.all(*args)
        return rows[0] if rows else None

    def rows(self, *args: Any) -> list[tuple[Any, ...]]:
        """Plain rows, converted (``values_list``, counts): no model instances."""
        _alias, _compiled, rows = self._fetch(args)
        return [tuple(row) for row in rows]
