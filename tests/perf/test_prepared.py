"""``kernel.prepared``: a query compiled once answers exactly as the ORM does, call after call,
with each call's own values (on SQLite and on PostgreSQL, whichever the run uses)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from deliberation.models import Circle, Membership
from kernel.prepared import Prepared
from tests.factories import make_circle, make_user

pytestmark = pytest.mark.django_db

_circle: Prepared[Circle] = Prepared(lambda pk: Circle.objects.filter(pk=pk).order_by()[:1])
_member_roles: Prepared[Membership] = Prepared(
    lambda user, circle: (
        Membership.objects.filter(user_id=user, circle_id=circle)
        .order_by("role")
        .values_list("role")
    )
)
_user_by_name: Prepared[Any] = Prepared(
    lambda name: get_user_model().objects.filter(username=name, is_active=True).order_by("pk"),
    str,
)


def test_instances_equal_the_orms_with_every_calls_own_values() -> None:
    public, private = make_circle(is_public=True), make_circle(is_public=False)
    for circle in (public, private, public):
        got = _circle.first(circle.pk)
        expected = Circle.objects.get(pk=circle.pk)
        assert got is not None and got.pk == expected.pk
        assert got.is_public is expected.is_public  # the backend's converters applied
        assert {f.attname: getattr(got, f.attname) for f in Circle._meta.concrete_fields} == {
            f.attname: getattr(expected, f.attname) for f in Circle._meta.concrete_fields
        }
        assert got._state.adding is False
    assert _circle.first(10**9) is None


def test_rows_and_string_arguments() -> None:
    circle, user = make_circle(), make_user("prepared-anna")
    assert _member_roles.rows(user.pk, circle.pk) == []
    Membership.objects.create(user_id=user.pk, circle=circle, role=Membership.Role.EXPERT)
    Membership.objects.create(user_id=user.pk, circle=circle, role=Membership.Role.DRAFTER)
    assert _member_roles.rows(user.pk, circle.pk) == [("drafter",), ("expert",)]
    assert [u.pk for u in _user_by_name.all("prepared-anna")] == [user.pk]
    assert _user_by_name.all("prepared-nobody") == []


def test_wrong_arguments_and_unmappable_querysets_are_refused() -> None:
    with pytest.raises(TypeError):
        _circle.first("1")
    with pytest.raises(TypeError):
        _circle.first(True)
    joined = Prepared(lambda pk: Circle.objects.select_related("action_field").filter(pk=pk))
    with pytest.raises(TypeError):
        joined.first(make_circle().pk)


def test_a_key_beyond_the_databases_integer_range_matches_no_row() -> None:
    make_circle()
    for key in (2**63, -(2**63) - 1, 10**30):
        assert _circle.first(key) is None
        assert _member_roles.rows(key, key) == []


def test_a_motion_id_beyond_bigint_is_a_404_not_a_server_error(client: Any) -> None:
    """Found by the schema test: ``PUT /api/v1/motions/9223372036854775808/ballot/`` was a 500
    on SQLite (the compiled motion lookup passed the int to a 64-bit column)."""
    from api.tokens import token_create

    user = make_user("prepared-voter")
    key = token_create(user).key
    for motion in (2**63, 10**30):
        response = client.put(
            f"/api/v1/motions/{motion}/ballot/",
            data={"choice": "yes"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key}",
        )
        assert response.status_code == 404, response.content
        assert response.json()["detail"]
