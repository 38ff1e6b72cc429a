"""`manage.py load_demo`: the integration concept 2021–2025, its circles, goals and logins."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from deliberation.models import ActionField, Circle, Concept, Goal, Membership, RoomEvent

pytestmark = pytest.mark.django_db

FIELD_SLUGS = ["bildung-sprache", "arbeit", "gesundheit", "sport", "vielfalt-kultur-religion"]
LOGINS = ["moderator", "expert1", "expert2", "expert3", "drafter", "admin"]
PASSWORD = "konsens-demo"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """The demo hashes six passwords per load; the production hasher would take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def dump_database() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, password hashes and timestamps included."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
    }


def roles_in(circle: Circle) -> dict[str, set[str]]:
    roles: dict[str, set[str]] = {}
    for username, role in circle.memberships.values_list("user__username", "role"):
        roles.setdefault(role, set()).add(username)
    return roles


def test_demo_loads_the_integration_concept_with_its_five_action_fields() -> None:
    load_demo()
    concept = Concept.objects.get()
    assert concept.title == "Integrationskonzept 2021–2025"
    assert (concept.period_start, concept.period_end) == (2021, 2025)
    assert list(concept.action_fields.order_by("order").values_list("slug", flat=True)) == (
        FIELD_SLUGS
    )


def test_every_field_has_a_public_expert_circle_named_like_it_and_a_working_group() -> None:
    load_demo()
    for field in ActionField.objects.all():
        expert_circle = field.circles.get(kind=Circle.Kind.EXPERT_CIRCLE)
        working_group = field.circles.get(kind=Circle.Kind.WORKING_GROUP)
        assert expert_circle.slug == field.slug
        assert working_group.slug != field.slug
        assert expert_circle.is_public and working_group.is_public
    assert Circle.objects.count() == 10


def test_every_field_has_three_to_five_german_draft_goals_with_a_first_version() -> None:
    load_demo()
    for field in ActionField.objects.all():
        goals = list(field.goals.all())
        assert 3 <= len(goals) <= 5, field.slug
        for goal in goals:
            assert goal.status in (Goal.Status.DRAFT, Goal.Status.IN_DISCUSSION)
            version = goal.versions.get()
            assert version.number == 1
            assert version.text.strip()
    assert Goal.objects.filter(title="Frühe Sprachförderung in allen Kitas").exists()


def test_demo_logins_have_the_documented_roles_and_password() -> None:
    load_demo()
    users = {user.username: user for user in get_user_model().objects.all()}
    assert set(users) == set(LOGINS)
    for user in users.values():
        assert user.check_password(PASSWORD), user.username
    assert users["admin"].is_staff
    assert not any(users[name].is_staff for name in LOGINS if name != "admin")
    for circle in Circle.objects.all():
        roles = roles_in(circle)
        assert roles[Membership.Role.MODERATOR] == {"moderator"}, circle.slug
        assert roles[Membership.Role.EXPERT] == {"expert1", "expert2", "expert3"}, circle.slug
        if circle.kind == Circle.Kind.WORKING_GROUP:
            assert roles[Membership.Role.DRAFTER] == {"drafter"}, circle.slug
        else:
            assert Membership.Role.DRAFTER not in roles, circle.slug
    assert not Membership.objects.filter(user=users["admin"]).exists()


def test_running_the_demo_twice_changes_nothing() -> None:
    load_demo()
    first = dump_database()
    events = RoomEvent.objects.count()

    output = load_demo()

    assert dump_database() == first
    assert RoomEvent.objects.count() == events
    assert "nothing changed" in output


def test_the_demo_fills_in_what_is_missing_and_keeps_what_exists() -> None:
    load_demo()
    moderator = get_user_model().objects.get(username="moderator")
    moderator.set_password("changed-by-the-moderator")
    moderator.save()
    Membership.objects.filter(user__username="expert3", circle__slug="sport").delete()

    load_demo()

    moderator.refresh_from_db()
    assert moderator.check_password("changed-by-the-moderator")
    assert Membership.objects.filter(
        user__username="expert3", circle__slug="sport", role=Membership.Role.EXPERT
    ).exists()


def test_the_command_prints_the_logins_and_their_password() -> None:
    output = load_demo()
    assert "Demo loaded" in output
    assert f"password: {PASSWORD}" in output
    login_lines = {line.split()[0] for line in output.splitlines() if line.startswith("  ")}
    assert login_lines == set(LOGINS)
