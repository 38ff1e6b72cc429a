"""A private expert circle and the drafters of its action field (issue 13, "the drafter's
workspace": the working group sees the expert circle's feedback for its field's goals, gives
dispositions and publishes versions). The working group's drafters see the private room as
viewers — they read, evaluate and revise, but do not speak, rate, vote or get the members'
video link; a drafter of another field, an outsider and an anonymous visitor see nothing.

One rule (``deliberation.view_room``, ``room_role``, and its filter form for lists) and every
door follows it: the room page, the projector, the REST API, the room's socket."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from deliberation import selectors
from deliberation.access import access_circle
from deliberation.models import Circle, Membership
from deliberation.rounds import selectors as round_selectors
from deliberation.rounds import services as round_services
from deliberation.rules import room_role, room_roles
from deliberation.services import comment_post
from kernel.errors import NotFound
from kernel.permissions import can
from tests.factories import Room, make_circle, make_field, make_room, make_user

pytestmark = pytest.mark.django_db

# persona → the role in the private expert circle's room (None: refused)
ROLES: dict[str, str | None] = {
    "moderator": "moderator",
    "expert": "expert",
    "drafter": "drafter",  # a member of the circle itself
    "field_drafter": "viewer",  # the field's working group
    "staff": "viewer",
    "other_drafter": None,  # another field's working group
    "group_expert": None,  # an expert (not a drafter) of the field's working group
    "outsider": None,
    "anonymous": None,
}


@dataclass
class Private:
    room: Room
    group: Circle
    people: dict[str, Any]

    @property
    def circle(self) -> Circle:
        return self.room.circle

    def client(self, persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(self.people[persona])
        return client


@pytest.fixture
def private(settings: Any) -> Private:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    room = make_room(is_public=False)
    group = make_circle(
        room.circle.action_field,
        kind=Circle.Kind.WORKING_GROUP,
        slug=f"{room.circle.slug}-ag",
        is_public=False,
    )
    other_group = make_circle(make_field(), kind=Circle.Kind.WORKING_GROUP)
    people: dict[str, Any] = {
        "moderator": room.moderator,
        "expert": room.expert,
        "drafter": room.drafter,
        "field_drafter": make_user(),
        "staff": make_user(is_staff=True),
        "other_drafter": make_user(),
        "group_expert": make_user(),
        "outsider": room.outsider,
        "anonymous": AnonymousUser(),
    }
    Membership.objects.create(user=people["field_drafter"], circle=group, role="drafter")
    Membership.objects.create(user=people["other_drafter"], circle=other_group, role="drafter")
    Membership.objects.create(user=people["group_expert"], circle=group, role="expert")
    return Private(room=room, group=group, people=people)


@pytest.mark.parametrize("persona", list(ROLES))
def test_every_form_of_the_rule_gives_the_same_answer(private: Private, persona: str) -> None:
    user = private.people[persona]
    circle = private.circle
    sees = ROLES[persona] is not None

    assert room_role(user, circle) == ROLES[persona]
    assert room_roles(user, [circle])[circle.pk] == ROLES[persona]
    assert can(user, "deliberation.view_room", circle) is sees
    assert (circle in selectors.circles_visible_to(user)) is sees
    assert (circle in selectors.visible_circles(user)) is sees
    visible = round_selectors.visible_circle_ids(user)
    assert (visible is None or circle.pk in visible) is sees
    if sees:
        assert access_circle(user, circle.slug) == circle
    else:
        with pytest.raises(NotFound):
            access_circle(user, circle.slug)


@pytest.mark.parametrize("persona", list(ROLES))
def test_the_room_page_and_the_projector_follow_the_rule(private: Private, persona: str) -> None:
    client = private.client(persona)
    for path in (f"/raeume/{private.circle.slug}/", f"/raeume/{private.circle.slug}/projektion/"):
        response = client.get(path)
        if ROLES[persona] is None:
            assert response.status_code in (403, 404), (path, response.status_code)
            assert private.room.goal.title not in response.content.decode()
        else:
            assert response.status_code == 200, path


@pytest.mark.parametrize("persona", list(ROLES))
def test_the_rest_api_follows_the_rule(private: Private, persona: str) -> None:
    client = private.client(persona)
    slug = private.circle.slug
    comment_post(
        actor=private.room.expert,
        circle=private.circle,
        goal_id=private.room.goal.pk,
        body="Zu vage.",
        client_key="k",
    )
    for path in (
        f"/api/v1/circles/{slug}/",
        f"/api/v1/circles/{slug}/comments/",
        f"/api/v1/circles/{slug}/rounds/",
    ):
        response = client.get(path)
        if ROLES[persona] is None:
            assert response.status_code == 404, (path, response.status_code)
            assert "Zu vage" not in response.content.decode()
        else:
            assert response.status_code == 200, (path, response.content)
    listed = client.get("/api/v1/circles/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert (slug in {row["slug"] for row in rows}) is (ROLES[persona] is not None)


def test_the_fields_drafter_evaluates_the_private_circles_feedback_but_does_not_speak(
    private: Private,
) -> None:
    room = private.room
    drafter = private.client("field_drafter")
    round_services.round_open(
        actor=room.moderator, circle=room.circle, agenda=[{"goal": room.goal.pk}]
    )
    comment, _event = comment_post(
        actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body="Zu vage.", client_key="c"
    )
    round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="evaluation")
    slug = room.circle.slug

    decided = drafter.put(
        f"/api/v1/circles/{slug}/comments/{comment.pk}/disposition/",
        {"value": "answered", "response": "Wird erklärt."},
        content_type="application/json",
    )
    assert decided.status_code == 200, decided.content

    # A viewer of the room: no comment, no video link.
    posted = drafter.post(
        f"/api/v1/circles/{slug}/comments/",
        {"goal": room.goal.pk, "body": "Ich rede mit.", "client_key": "d"},
        content_type="application/json",
    )
    assert posted.status_code == 403
    assert drafter.get(f"/raeume/{slug}/video/").status_code == 403
    # The others are refused the same write without learning that the room exists.
    for persona in ("other_drafter", "outsider"):
        refused = private.client(persona).put(
            f"/api/v1/circles/{slug}/comments/{comment.pk}/disposition/",
            {"value": "accepted", "response": "Ja."},
            content_type="application/json",
        )
        assert refused.status_code == 404, persona
