"""Who holds a person's data: a registry of providers for the export and the erasure of one
person's data (GDPR articles 15, 17 and 20).

Each bounded context knows what it stores about a person; the accounts app assembles the
export and runs the erasure without importing the contexts that sit beside or above it
(voting, attendance, participation, notifications, rooms). Each registers its provider when
it starts (its ``AppConfig.ready``), as participation registers its feedback with
``deliberation/rounds/feedback_sources.py``. An app that is not installed registers nothing,
so its part is simply absent from the export.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Exporter = Callable[[Any], dict[str, Any]]
Eraser = Callable[[Any, str], None]


@dataclass(frozen=True)
class Provider:
    """``export(user)``: plain JSON-able dicts and lists of what the context stores about
    ``user``. ``erase(user, former_email)``: delete what is purely personal and pseudonymise the
    rest; called inside the deletion's transaction, after the account itself was scrubbed
    (``former_email``: the address it had, to find what was sent there)."""

    name: str
    export: Exporter | None = None
    erase: Eraser | None = None
    order: int = 100


_providers: dict[str, Provider] = {}


def register(
    name: str, *, export: Exporter | None = None, erase: Eraser | None = None, order: int = 100
) -> None:
    """Register (or replace) the provider ``name``: idempotent, so a second ``ready()``
    (tests, autoreload) does not run it twice. ``order``: lower runs first."""
    _providers[name] = Provider(name=name, export=export, erase=erase, order=order)


def providers() -> list[Provider]:
    return sorted(_providers.values(), key=lambda p: (p.order, p.name))
