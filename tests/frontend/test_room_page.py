"""The live room page as served (before any WebSocket): who gets it, and what it offers whom."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from deliberation import phases, services
from deliberation.models import Goal
from tests.factories import PASSWORD, Room, make_goal

pytestmark = pytest.mark.django_db


def _client(user: object | None = None) -> Client:
    client = Client()
    if user is not None:
        assert client.login(username=user.get_username(), password=PASSWORD)  # type: ignore[attr-defined]
    return client


def _url(room: Room) -> str:
    return reverse("frontend:room", args=[room.circle.slug])


def test_room_url_is_the_documented_one(room: Room) -> None:
    assert _url(room) == f"/raeume/{room.circle.slug}/"


def test_anonymous_visitor_reads_a_public_room_without_posting_ui(room: Room) -> None:
    response = _client().get(_url(room))
    assert response.status_code == 200
    assertTemplateUsed(response, "frontend/room.html")
    assertContains(response, f"<h1>{room.circle.title}</h1>", html=True)
    assertContains(response, 'data-role="viewer"')
    assertContains(response, f'data-ws-path="/ws/rooms/{room.circle.slug}/"')
    assertContains(response, 'data-ws="connecting"')
    assertContains(response, 'role="status"')
    assertContains(response, "<noscript>")
    assertContains(response, "Als Mitglied anmelden")
    assertNotContains(response, 'id="composer"')
    assertNotContains(response, "<textarea")
    assertNotContains(response, 'id="hand-toggle"')
    assertNotContains(response, 'id="hand-next"')
    assertNotContains(response, 'id="reason-dialog"')


def test_signed_in_outsider_reads_a_public_room_as_viewer(room: Room) -> None:
    response = _client(room.outsider).get(_url(room))
    assert response.status_code == 200
    assertContains(response, 'data-role="viewer"')
    assertNotContains(response, 'id="composer"')
    assertNotContains(response, 'id="hand-toggle"')
    assertNotContains(response, "Als Mitglied anmelden")


@pytest.mark.parametrize(
    ("persona", "role"), [("expert", "expert"), ("drafter", "drafter"), ("moderator", "moderator")]
)
def test_members_get_the_posting_box_and_the_hand_button(
    room: Room, persona: str, role: str
) -> None:
    response = _client(getattr(room, persona)).get(_url(room))
    assertContains(response, f'data-role="{role}"')
    assertContains(response, 'id="composer"')
    assertContains(response, 'id="composer-body"')
    assertContains(response, 'id="hand-toggle"')


def test_only_the_moderator_gets_next_speaker_and_the_reason_dialog(room: Room) -> None:
    moderator = _client(room.moderator).get(_url(room))
    assertContains(moderator, 'id="hand-next"')
    assertContains(moderator, 'id="reason-dialog"')
    expert = _client(room.expert).get(_url(room))
    assertNotContains(expert, 'id="hand-next"')
    assertNotContains(expert, 'id="reason-dialog"')


def test_private_room_is_refused_to_the_outsider_and_the_anonymous_visitor(
    private_room: Room,
) -> None:
    for client in (_client(private_room.outsider), _client()):
        response = client.get(_url(private_room))
        assert response.status_code == 403
        assertTemplateUsed(response, "403.html")
        assertNotContains(response, "data-ws-path", status_code=403)


def test_private_room_opens_for_its_members(private_room: Room) -> None:
    response = _client(private_room.expert).get(_url(private_room))
    assert response.status_code == 200
    assertContains(response, 'data-role="expert"')


def test_unknown_room_is_not_found(db: None) -> None:
    response = _client().get(reverse("frontend:room", args=["gibt-es-nicht"]))
    assert response.status_code == 404


def test_page_shows_goals_in_discussion_by_paragraph_and_their_comments_without_javascript(
    room: Room,
) -> None:
    draft = make_goal(room.circle.action_field, title="Noch ein Entwurf", status=Goal.Status.DRAFT)
    comment, _ = services.comment_post(
        actor=room.expert,
        circle=room.circle,
        goal_id=room.goal.pk,
        body="Wie wird das **gemessen**?",
        anchor_paragraph=2,
    )
    services.comment_post(
        actor=room.expert2,
        circle=room.circle,
        goal_id=room.goal.pk,
        body="Mit der <script>alert(1)</script> Sprachstandserhebung.",
        reply_to=comment.pk,
    )
    response = _client().get(_url(room))
    assertContains(response, room.goal.title)
    assertNotContains(response, draft.title)
    assertContains(response, "<p>Erster Absatz.</p>", html=True)
    assertContains(response, "<p>Zweiter Absatz.</p>", html=True)
    assertContains(response, "<strong>gemessen</strong>", html=True)
    assertContains(response, "zu Absatz 2")
    assertContains(response, 'class="comment__replies"')
    assertContains(response, "2 Kommentare")
    assertNotContains(response, "<script>alert(1)</script>")


def test_hidden_comment_shows_its_reason_not_its_text_on_the_served_page(room: Room) -> None:
    comment, _ = services.comment_post(
        actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body="Beleidigender Satz"
    )
    services.comment_set_visibility(
        actor=room.moderator,
        circle=room.circle,
        comment_id=comment.pk,
        hidden=True,
        reason="Bitte sachlich.",
    )
    for client in (_client(), _client(room.expert2), _client(room.moderator)):
        response = client.get(_url(room))
        assertNotContains(response, "Beleidigender Satz")
        assertContains(response, "Bitte sachlich.")


def test_page_loads_the_javascript_catalog_and_the_room_modules(room: Room) -> None:
    response = _client().get(_url(room))
    assertContains(response, f'<script src="{reverse("javascript-catalog")}"></script>', html=True)
    assertContains(response, 'type="module"')
    assertContains(response, "frontend/room/main.js")
    assertContains(response, "frontend/room.css")


def test_javascript_catalog_translates_room_strings_to_english(db: None) -> None:
    german = Client(headers={"accept-language": "de"}).get(reverse("javascript-catalog"))
    assert german.status_code == 200
    english = Client(headers={"accept-language": "en"}).get(reverse("javascript-catalog"))
    assert english.status_code == 200
    assert "Connected live" in english.content.decode()
    assert "Connected live" not in german.content.decode()
    # The room's news and the decision on a comment, as the issue names them in English.
    for text in ("Vote opened: “%(goal)s”", "You have the floor", "Decision: %(value)s"):
        catalog = english.content.decode()
        assert json.dumps(text)[1:-1] in catalog or text in catalog, text


def test_english_visitor_gets_the_page_in_english(room: Room) -> None:
    response = Client(headers={"accept-language": "en"}).get(_url(room))
    assertContains(response, '<html lang="en" dir="ltr">')


def test_page_embeds_the_phase_feature_table_the_room_scripts_follow(room: Room) -> None:
    """The composer, rating and idea forms follow the server's own table (phases.table())."""
    for client in (_client(), _client(room.outsider), _client(room.expert)):
        html = _client_page(client, room)
        found = re.search(
            r'<script id="phase-features" type="application/json">(.*?)</script>', html, re.S
        )
        assert found, "the room page embeds no phase-feature table"
        table = json.loads(found.group(1))
        assert table == phases.table()
        assert "comment" in table["free"] and "comment" not in table["evaluation"]


def _client_page(client: Client, room: Room) -> str:
    response = client.get(_url(room))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", ["moderator", "expert", None])
def test_served_room_page_shows_no_template_syntax_or_leaked_values(
    room: Room, persona: str | None
) -> None:
    user = getattr(room, persona) if persona else None
    html = _client_page(_client(user), room)
    for junk in ("{#", "#}", "{%", "{{", "[object Object]"):
        assert junk not in html, junk
