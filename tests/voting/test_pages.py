"""The vote pages: motion, ballot and close forms, result with chart and record, the
circle's motions, opening, and the concept document (screen, print, Markdown)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from deliberation.models import Goal
from tests.factories import Room
from tests.voting.conftest import open_motion
from voting import services, tally
from voting.models import Motion

pytestmark = pytest.mark.django_db


def client_for(room: Room, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(getattr(room, who))
    return client


def motion_url(motion: Motion) -> str:
    return reverse("voting:motion", args=[motion.pk])


def adopt(room: Room, **options: object) -> Motion:
    motion = open_motion(room, **options)
    for who in ("expert", "expert2"):
        services.ballot_cast(actor=getattr(room, who), motion_id=motion.pk, choice="consent")
    services.motion_close(actor=room.moderator, motion_id=motion.pk)
    return motion


def test_an_expert_sees_the_rule_and_a_ballot_with_the_four_consent_choices(
    vote_room: Room,
) -> None:
    motion = open_motion(vote_room)
    page = client_for(vote_room, "expert").get(motion_url(motion)).content.decode()
    for label in ("Zustimmung", "Zustimmung mit Bedenken", "Enthaltung", "Veto"):
        assert re.search(rf'<span class="vote-choice__label" id="[^"]+">{label}</span>', page)
    assert "mindestens 2/3" in page
    assert "Ein einziges Veto verhindert den Beschluss." in page
    assert "0 von 3 Stimmberechtigten haben abgestimmt" in page
    assert "Abstimmung schließen" not in page


@pytest.mark.parametrize("who", ["drafter", "outsider", "anonymous"])
def test_non_voters_see_the_motion_but_no_ballot(vote_room: Room, who: str) -> None:
    motion = open_motion(vote_room)
    response = client_for(vote_room, who).get(motion_url(motion))
    assert response.status_code == 200
    assert "data-ballot-form" not in response.content.decode()


def test_an_expert_votes_through_the_page_and_must_confirm(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    client = client_for(vote_room, "expert")
    url = reverse("voting:ballot_cast", args=[motion.pk])
    unconfirmed = client.post(url, {"choice": "consent"})
    assert unconfirmed.status_code == 400
    assert not motion.ballots.exists()
    response = client.post(url, {"choice": "consent", "confirm": "on"}, follow=True)
    assert "Ihre Stimme ist abgegeben." in response.content.decode()
    assert "Sie haben abgestimmt: Zustimmung." in response.content.decode()
    assert "1 von 3 Stimmberechtigten hat abgestimmt" in response.content.decode()


def test_a_veto_without_reason_shows_the_error_at_the_reason(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    response = client_for(vote_room, "expert").post(
        reverse("voting:ballot_cast", args=[motion.pk]), {"choice": "veto", "confirm": "on"}
    )
    assert response.status_code == 400
    assert "Ein Veto braucht eine Begründung." in response.content.decode()


@pytest.mark.parametrize("who", ["drafter", "outsider"])
def test_non_eligible_posting_a_ballot_gets_an_error_and_nothing_is_cast(
    vote_room: Room, who: str
) -> None:
    motion = open_motion(vote_room)
    response = client_for(vote_room, who).post(
        reverse("voting:ballot_cast", args=[motion.pk]),
        {"choice": "consent", "confirm": "on"},
        follow=True,
    )
    assert "nicht stimmberechtigt" in response.content.decode()
    assert not motion.ballots.exists()


def test_anonymous_posting_a_ballot_is_sent_to_the_login(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    response = Client().post(
        reverse("voting:ballot_cast", args=[motion.pk]), {"choice": "consent", "confirm": "on"}
    )
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_moderator_closes_on_the_page_and_everyone_sees_the_result(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, choice="consent")
    services.ballot_cast(actor=vote_room.expert2, motion_id=motion.pk, choice="abstain")
    moderator = client_for(vote_room, "moderator")
    assert "Abstimmung schließen" in moderator.get(motion_url(motion)).content.decode()
    moderator.post(
        reverse("voting:motion_close", args=[motion.pk]),
        {"rejected_goal_status": "revised", "confirm": "on"},
    )
    page = Client().get(motion_url(motion)).content.decode()
    assert "angenommen" in page
    assert "<svg" in page and 'class="vote-table"' in page
    assert re.search(r"<th scope=\"row\">Zustimmung</th><td class=\"num\">1</td>", page)
    motion.refresh_from_db()
    assert motion.result.digest in page
    assert f"python3 tally.py abstimmung-{motion.pk}.json {motion.result.digest}" in page


@pytest.mark.parametrize("who", ["expert", "drafter", "outsider"])
def test_others_cannot_close_on_the_page(vote_room: Room, who: str) -> None:
    motion = open_motion(vote_room)
    client_for(vote_room, who).post(
        reverse("voting:motion_close", args=[motion.pk]),
        {"rejected_goal_status": "revised", "confirm": "on"},
    )
    motion.refresh_from_db()
    assert motion.is_open


def test_the_record_download_hashes_to_the_published_digest_and_verifies(vote_room: Room) -> None:
    motion = adopt(vote_room)
    response = Client().get(reverse("voting:motion_record", args=[motion.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="abstimmung-{motion.pk}.json"'
    motion.refresh_from_db()
    assert hashlib.sha256(response.content).hexdigest() == motion.result.digest
    program = Client().get(reverse("voting:tally_source"))
    assert b"def count(" in program.content
    assert tally.verify(response.content, motion.result.digest) == []


def test_the_record_is_not_available_while_the_vote_runs(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    assert Client().get(reverse("voting:motion_record", args=[motion.pk])).status_code == 404


def test_an_open_ballots_result_shows_who_voted_how(vote_room: Room) -> None:
    motion = adopt(vote_room)
    page = Client().get(motion_url(motion)).content.decode()
    assert "wer wie gestimmt hat" in page
    assert vote_room.expert.get_full_name() in page


def test_the_moderator_opens_motions_through_the_form(vote_room: Room) -> None:
    url = reverse("voting:motion_open", args=[vote_room.circle.slug])
    client = client_for(vote_room, "moderator")
    assert vote_room.goal.title in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "goals": [vote_room.goal.pk],
            "method": "majority",
            "quorum": "2/3",
            "threshold": "",
            "threshold_mode": "",
            "changeable": "on",
            "rejected_goal_status": "revised",
            "alternatives": "",
        },
    )
    motion = Motion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == motion_url(motion)
    assert motion.rule["quorum"] == "2/3"
    assert motion.rule["threshold_mode"] == "more_than"
    vote_room.goal.refresh_from_db()
    assert vote_room.goal.status == Goal.Status.IN_VOTE


def test_a_resistance_vote_opens_with_alternatives_separated_by_dashes(vote_room: Room) -> None:
    response = client_for(vote_room, "moderator").post(
        reverse("voting:motion_open", args=[vote_room.circle.slug]),
        {
            "goals": [vote_room.goal.pk],
            "method": "resistance",
            "quorum": "1/2",
            "rejected_goal_status": "revised",
            "alternatives": "Erste Fassung.\n---\nZweite Fassung.\r\n----\r\nDritte.",
        },
    )
    assert response.status_code == 302
    motion = Motion.objects.get()
    assert [a.text for a in motion.alternatives.all()] == [
        "Erste Fassung.",
        "Zweite Fassung.",
        "Dritte.",
    ]
    page = client_for(vote_room, "expert").get(motion_url(motion)).content.decode()
    assert page.count('type="number"') == 3


@pytest.mark.parametrize("who", ["expert", "drafter", "outsider"])
def test_others_get_no_opening_form(vote_room: Room, who: str) -> None:
    url = reverse("voting:motion_open", args=[vote_room.circle.slug])
    assert client_for(vote_room, who).get(url).status_code == 404


def test_anonymous_gets_no_opening_form(vote_room: Room) -> None:
    url = reverse("voting:motion_open", args=[vote_room.circle.slug])
    assert Client().get(url).status_code == 302


def test_the_circle_page_lists_running_and_closed_motions(vote_room: Room) -> None:
    motion = adopt(vote_room)
    page = Client().get(reverse("voting:circle_motions", args=[vote_room.circle.slug]))
    assert motion_url(motion) in page.content.decode()
    assert "angenommen" in page.content.decode()


def test_private_motions_are_hidden_from_outsiders_and_anonymous(private_room: Room) -> None:
    motion = open_motion(private_room)
    for who in ("outsider", "anonymous"):
        client = client_for(private_room, who)
        assert client.get(motion_url(motion)).status_code == 404
        circle_url = reverse("voting:circle_motions", args=[private_room.circle.slug])
        assert client.get(circle_url).status_code == 404
    assert client_for(private_room, "drafter").get(motion_url(motion)).status_code == 200


# --- the concept document --------------------------------------------------------------------


def test_the_concept_document_shows_the_adopted_goal_with_its_trail(vote_room: Room) -> None:
    motion = adopt(vote_room)
    concept = vote_room.circle.action_field.concept
    page = Client().get(reverse("voting:concept_document", args=[concept.slug]))
    html = page.content.decode()
    assert vote_room.goal.title in html
    assert reverse("frontend:goal", args=[vote_room.goal.pk]) in html
    assert motion_url(motion) in html
    assert "Erster Absatz." in html
    assert "1 Ziel ist beschlossen." in html


def test_the_concept_document_leaves_out_goals_not_adopted(vote_room: Room) -> None:
    open_motion(vote_room)
    concept = vote_room.circle.action_field.concept
    html = Client().get(reverse("voting:concept_document", args=[concept.slug])).content.decode()
    assert "Noch keine beschlossenen Ziele." in html
    assert f'id="ziel-{vote_room.goal.pk}"' not in html


def test_the_print_version_is_a_standalone_document_with_page_breaks(vote_room: Room) -> None:
    adopt(vote_room)
    concept = vote_room.circle.action_field.concept
    html = Client().get(reverse("voting:concept_print", args=[concept.slug])).content.decode()
    assert '<html lang="de">' in html
    assert "voting/concept-print.css" in html
    assert f"http://testserver{reverse('frontend:goal', args=[vote_room.goal.pk])}" in html
    from django.contrib.staticfiles import finders

    css_path = finders.find("voting/concept-print.css")
    assert css_path is not None
    css = Path(css_path).read_text(encoding="utf-8")
    assert "break-before: page" in css
    assert "hyphens: auto" in css
    assert 'quotes: "„" "“"' in css


def test_the_markdown_export_downloads(vote_room: Room) -> None:
    adopt(vote_room)
    concept = vote_room.circle.action_field.concept
    response = Client().get(reverse("voting:concept_markdown", args=[concept.slug]))
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.content.decode().startswith(f"# {concept.title}\n")


def test_the_current_concept_is_the_default(vote_room: Room) -> None:
    adopt(vote_room)
    response = Client().get(reverse("voting:concept_document_current"))
    assert response.status_code == 200
    assert vote_room.goal.title in response.content.decode()


def test_pages_speak_english_too(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    client = client_for(vote_room, "expert")
    client.cookies["django_language"] = "en"
    response = client.get(motion_url(motion), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in response.content.decode()
