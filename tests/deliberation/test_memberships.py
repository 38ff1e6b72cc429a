"""Memberships change through their services only (API of the admin included): each addition,
role change and removal is checked, written under the room lock and told to the room."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from deliberation import services
from deliberation.models import Membership, RoomEvent
from kernel.errors import Conflict, Forbidden, Invalid
from tests.factories import Room, make_user

pytestmark = pytest.mark.django_db


def _events(room: Room, kind: str) -> list[dict[str, Any]]:
    rows = RoomEvent.objects.filter(circle=room.circle, kind=kind).order_by("seq")
    # Round-trip: what the room hears must survive JSON.
    return [json.loads(json.dumps(row.payload)) for row in rows]


def _person(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


@pytest.fixture
def newcomer() -> Any:
    return make_user()


@pytest.fixture
def staff() -> Any:
    return make_user(is_staff=True, is_superuser=True)


def test_moderator_adds_a_member_and_the_room_hears_it(room: Room, newcomer: Any) -> None:
    seq = room.circle.event_seq
    membership = services.membership_add(
        actor=room.moderator, user=newcomer, circle=room.circle, role="expert"
    )
    assert (membership.user, membership.circle) == (newcomer, room.circle)
    assert membership.role == "expert"
    assert _events(room, "member.added") == [{"person": _person(newcomer), "role": "expert"}]
    room.circle.refresh_from_db()
    assert room.circle.event_seq == seq + 1


def test_adding_an_existing_membership_changes_nothing(room: Room) -> None:
    services.membership_add(
        actor=room.moderator, user=room.expert, circle=room.circle, role="expert"
    )
    assert _events(room, "member.added") == []
    assert Membership.objects.filter(user=room.expert, circle=room.circle).count() == 1


@pytest.mark.parametrize("persona", ["expert", "drafter", "outsider", "anonymous"])
def test_only_moderators_and_staff_manage_memberships(
    room: Room, newcomer: Any, persona: str
) -> None:
    actor = AnonymousUser() if persona == "anonymous" else getattr(room, persona)
    membership = Membership.objects.get(user=room.expert2, circle=room.circle)
    with pytest.raises(Forbidden):
        services.membership_add(actor=actor, user=newcomer, circle=room.circle, role="expert")
    with pytest.raises(Forbidden):
        services.membership_change_role(actor=actor, membership=membership, role="moderator")
    with pytest.raises(Forbidden):
        services.membership_remove(actor=actor, membership=membership)
    membership.refresh_from_db()
    assert membership.role == "expert"
    assert not Membership.objects.filter(user=newcomer).exists()
    assert not RoomEvent.objects.filter(circle=room.circle, kind__startswith="member.").exists()


def test_a_moderator_of_another_circle_may_not_manage_this_one(room: Room, newcomer: Any) -> None:
    from tests.factories import make_room

    other = make_room()
    with pytest.raises(Forbidden):
        services.membership_add(
            actor=other.moderator, user=newcomer, circle=room.circle, role="expert"
        )


def test_staff_manage_memberships(room: Room, newcomer: Any, staff: Any) -> None:
    membership = services.membership_add(
        actor=staff, user=newcomer, circle=room.circle, role="drafter"
    )
    services.membership_remove(actor=staff, membership=membership)
    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_role_change_is_told_with_the_previous_role(room: Room) -> None:
    membership = Membership.objects.get(user=room.expert, circle=room.circle)
    changed = services.membership_change_role(
        actor=room.moderator, membership=membership.pk, role="drafter"
    )
    assert changed.role == "drafter"
    assert _events(room, "member.changed") == [
        {"person": _person(room.expert), "role": "drafter", "previous_role": "expert"}
    ]


def test_changing_to_the_same_role_records_nothing(room: Room) -> None:
    membership = Membership.objects.get(user=room.expert, circle=room.circle)
    services.membership_change_role(actor=room.moderator, membership=membership, role="expert")
    assert _events(room, "member.changed") == []


def test_changing_to_a_role_the_person_holds_already_is_a_conflict(room: Room) -> None:
    services.membership_add(actor=None, user=room.expert, circle=room.circle, role="drafter")
    membership = Membership.objects.get(user=room.expert, circle=room.circle, role="expert")
    with pytest.raises(Conflict):
        services.membership_change_role(actor=room.moderator, membership=membership, role="drafter")
    membership.refresh_from_db()
    assert membership.role == "expert"


@pytest.mark.parametrize("role", ["viewer", "", None, "Moderator"])
def test_an_unknown_role_is_invalid(room: Room, newcomer: Any, role: Any) -> None:
    with pytest.raises(Invalid):
        services.membership_add(actor=room.moderator, user=newcomer, circle=room.circle, role=role)
    assert not Membership.objects.filter(user=newcomer).exists()


def test_removal_is_told_to_the_room(room: Room) -> None:
    membership = Membership.objects.get(user=room.drafter, circle=room.circle)
    services.membership_remove(actor=room.moderator, membership=membership.pk)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert _events(room, "member.removed") == [{"person": _person(room.drafter), "role": "drafter"}]


def test_deactivating_an_account_is_told_in_every_room_of_the_person(
    room: Room, staff: Any
) -> None:
    services.account_set_active(actor=staff, user=room.expert, is_active=False)
    room.expert.refresh_from_db()
    assert room.expert.is_active is False
    assert _events(room, "member.deactivated") == [{"person": _person(room.expert)}]


@pytest.mark.parametrize("persona", ["moderator", "expert", "outsider"])
def test_only_staff_deactivate_accounts(room: Room, persona: str) -> None:
    with pytest.raises(Forbidden):
        services.account_set_active(
            actor=getattr(room, persona), user=room.expert2, is_active=False
        )
    room.expert2.refresh_from_db()
    assert room.expert2.is_active is True


# --- the admin is one more door to the same services ------------------------------------------


@pytest.fixture
def admin_client(staff: Any) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def test_editing_a_membership_in_the_admin_form_records_the_room_event(
    room: Room, admin_client: Client
) -> None:
    membership = Membership.objects.get(user=room.expert, circle=room.circle)
    url = reverse("admin:deliberation_membership_change", args=[membership.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"role": "moderator"})
    assert response.status_code == 302, response.content.decode()[:2000]
    membership.refresh_from_db()
    assert membership.role == "moderator"
    assert _events(room, "member.changed") == [
        {"person": _person(room.expert), "role": "moderator", "previous_role": "expert"}
    ]


def test_adding_and_deleting_a_membership_in_the_admin_records_the_room_events(
    room: Room, admin_client: Client, newcomer: Any
) -> None:
    response = admin_client.post(
        reverse("admin:deliberation_membership_add"),
        {"user": newcomer.pk, "circle": room.circle.pk, "role": "expert"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=newcomer, circle=room.circle)
    assert _events(room, "member.added") == [{"person": _person(newcomer), "role": "expert"}]

    response = admin_client.post(
        reverse("admin:deliberation_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert _events(room, "member.removed") == [{"person": _person(newcomer), "role": "expert"}]


def test_deleting_memberships_in_bulk_in_the_admin_records_one_event_each(
    room: Room, admin_client: Client
) -> None:
    ids = list(
        Membership.objects.filter(user__in=[room.expert, room.drafter]).values_list("pk", flat=True)
    )
    response = admin_client.post(
        reverse("admin:deliberation_membership_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk__in=ids).exists()
    removed = _events(room, "member.removed")
    assert sorted(e["person"]["id"] for e in removed) == sorted([room.expert.pk, room.drafter.pk])


def test_deactivating_a_user_in_the_admin_records_the_room_event(
    room: Room, admin_client: Client
) -> None:
    user = room.expert
    url = reverse("admin:auth_user_change", args=[user.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("password", "groups", "user_permissions", "is_active")
    }
    data.update(
        {
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
            "last_login_0": "",
            "last_login_1": "",
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.is_active is False
    assert _events(room, "member.deactivated") == [{"person": _person(user)}]
