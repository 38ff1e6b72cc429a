"""The evaluation assistant: every sentence cites the round's feedback, nothing is shown
before a moderator approves, and the published summary says what drafted it and who approved."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from assist import citations
from assist.models import Summary
from assist.summaries import summary_approve, summary_draft, summary_update
from deliberation.models import Disposition
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from tests.assist.conftest import PERSONAS, client_for, open_round, persona, say
from tests.factories import Room, make_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted(room: Room, fake_providers: None) -> tuple[Room, Any, list[Any], Summary]:
    round_ = open_round(room)
    comments = [
        say(room, "Bitte auch die Horte einbeziehen."),
        say(room, "Die Sprachkurse brauchen Kinderbetreuung.", author=room.expert2),
    ]
    draft = summary_draft(
        actor=room.moderator, circle=room.circle, round_=round_, goal_id=room.goal.pk
    )
    return room, round_, comments, draft.summary


def test_sentences_and_citations_are_parsed() -> None:
    text = (
        "Viele wollen Horte, z. B. in Kastel [c1, c2]. Eine Person fragt nach Kursen. [a7]\n"
        "- Offen bleibt die Finanzierung."
    )
    assert citations.sentences(text) == [
        "Viele wollen Horte, z. B. in Kastel [c1, c2].",
        "Eine Person fragt nach Kursen [a7].",
        "Offen bleibt die Finanzierung.",
    ]
    problems = citations.check(text, {"c1", "c2"})
    assert [(p.kind, p.refs) for p in problems] == [("unknown", ("a7",)), ("uncited", ())]


def test_draft_cites_each_comment_and_stores_model_prompt_and_hash(drafted: Any) -> None:
    room, _round, comments, summary = drafted
    assert summary.status == Summary.Status.DRAFT
    assert f"[c{comments[0].pk}]" in summary.text and f"[c{comments[1].pk}]" in summary.text
    assert summary.model == "fake:fake-drafter-1"
    assert f"[c{comments[0].pk}] Bitte auch die Horte einbeziehen." in summary.prompt
    expected = hashlib.sha256(
        json.dumps(
            {
                "goal": room.goal.pk,
                "title": room.goal.title,
                "items": [[f"c{c.pk}", c.body] for c in comments],
            },
            ensure_ascii=False,
            sort_keys=True,
        ).encode()
    ).hexdigest()
    assert summary.input_hash == expected


def test_draft_is_not_shown_before_approval(drafted: Any) -> None:
    room, _round, _comments, _summary = drafted
    page = client_for(room, "expert").get(f"/raeume/{room.circle.slug}/runden/1/auswertung/")
    assert "Maschinell entworfen" not in page.content.decode()


def test_uncited_sentence_is_refused_on_approve(drafted: Any) -> None:
    room, round_, comments, summary = drafted
    edited = f"Horte sind gewünscht [c{comments[0].pk}]. Alle sind sich einig."
    with pytest.raises(Invalid, match=r"Alle sind sich einig.*nennt keine Rückmeldung"):
        summary_approve(
            actor=room.moderator,
            circle=room.circle,
            round_=round_,
            summary_id=summary.pk,
            text=edited,
        )
    summary.refresh_from_db()
    assert summary.status == Summary.Status.DRAFT and "einig" not in summary.text


def test_citation_outside_the_round_is_refused(drafted: Any) -> None:
    room, round_, comments, summary = drafted
    elsewhere = make_room()
    foreign = say(elsewhere, "Anderer Raum.")
    for ref in (f"c{foreign.pk}", "i99999", "a5"):
        with pytest.raises(Invalid, match=ref):
            summary_update(
                actor=room.moderator,
                circle=room.circle,
                round_=round_,
                summary_id=summary.pk,
                text=f"Horte sind gewünscht [c{comments[0].pk}, {ref}].",
            )
    summary.refresh_from_db()
    assert foreign.body not in summary.text and summary.status == Summary.Status.DRAFT


def test_valid_summary_is_approved_and_published_with_its_marking(drafted: Any) -> None:
    room, _round, comments, summary = drafted
    text = (
        f"Horte sollen einbezogen werden [c{comments[0].pk}]. "
        f"Sprachkurse brauchen Kinderbetreuung [c{comments[1].pk}]."
    )
    response = client_for(room, "moderator").post(
        f"/raeume/{room.circle.slug}/runden/1/zusammenfassung/",
        {"action": "approve", "summary": summary.pk, "text": text},
    )
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.status == Summary.Status.APPROVED
    assert (summary.approved_by, summary.text) == (room.moderator, text)
    assert summary.model and summary.prompt and len(summary.input_hash) == 64
    page = client_for(room, "anonymous").get(f"/raeume/{room.circle.slug}/runden/1/auswertung/")
    html = page.content.decode()
    assert "Maschinell entworfen" in html
    assert f"geprüft und freigegeben von {room.moderator.get_full_name()}" in html
    assert "Horte sollen einbezogen werden" in html
    assert f'href="#rueckmeldung-comment-{comments[0].pk}"' in html
    assert summary.input_hash in html
    assert not Disposition.objects.exists()  # the assistant never decides


def test_page_shows_the_refusal_and_keeps_the_edit(drafted: Any) -> None:
    room, _round, _comments, summary = drafted
    response = client_for(room, "moderator").post(
        f"/raeume/{room.circle.slug}/runden/1/zusammenfassung/",
        {"action": "approve", "summary": summary.pk, "text": "Das meinen alle."},
        follow=True,
    )
    html = response.content.decode()
    assert "nennt keine Rückmeldung" in html and "Das meinen alle." in html
    summary.refresh_from_db()
    assert summary.status == Summary.Status.DRAFT


def test_model_sentences_without_citation_are_dropped_from_the_draft(
    room: Room, fake_providers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    round_ = open_round(room)
    comment = say(room, "Mehr Kurse am Abend.")
    monkeypatch.setattr(
        "assist.providers.FakeDrafter.draft",
        lambda self, **kw: (
            f"Kurse am Abend [c{comment.pk}]. Das ist sicher richtig. Erfunden [c999999]."
        ),
    )
    draft = summary_draft(
        actor=room.moderator, circle=room.circle, round_=round_, goal_id=room.goal.pk
    )
    assert draft.summary.text == f"Kurse am Abend [c{comment.pk}]."
    assert [p.kind for p in draft.rejected] == ["uncited", "unknown"]


def test_assistant_is_off_by_default(room: Room, no_network: list[Any]) -> None:
    round_ = open_round(room)
    say(room, "Eine Rückmeldung.")
    with pytest.raises(Conflict):
        summary_draft(actor=room.moderator, circle=room.circle, round_=round_, goal_id=room.goal.pk)
    assert no_network == [] and not Summary.objects.exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_only_the_moderator_drafts(room: Room, fake_providers: None, name: str) -> None:
    round_ = open_round(room)
    say(room, "Eine Rückmeldung.")
    if name == "moderator":
        summary_draft(
            actor=persona(room, name), circle=room.circle, round_=round_, goal_id=room.goal.pk
        )
        assert Summary.objects.count() == 1
        return
    with pytest.raises(Forbidden):
        summary_draft(
            actor=persona(room, name), circle=room.circle, round_=round_, goal_id=room.goal.pk
        )
    assert not Summary.objects.exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_only_the_moderator_approves(drafted: Any, name: str) -> None:
    room, _round, _comments, summary = drafted
    response = client_for(room, name).post(
        f"/raeume/{room.circle.slug}/runden/1/zusammenfassung/",
        {"action": "approve", "summary": summary.pk, "text": summary.text},
    )
    summary.refresh_from_db()
    if name == "moderator":
        assert response.status_code == 302 and summary.status == Summary.Status.APPROVED
    else:
        assert response.status_code == 403 and summary.status == Summary.Status.DRAFT


@pytest.mark.parametrize("name", PERSONAS)
def test_summary_page_of_a_private_room(private: Room, fake_providers: None, name: str) -> None:
    open_round(private)
    response = client_for(private, name).get(
        f"/raeume/{private.circle.slug}/runden/1/zusammenfassung/"
    )
    assert response.status_code == {"moderator": 200, "expert": 403}.get(name, 404)


def test_outsider_cannot_approve_in_a_private_room(private: Room, fake_providers: None) -> None:
    round_ = open_round(private)
    say(private, "Eine Rückmeldung.")
    summary = summary_draft(
        actor=private.moderator, circle=private.circle, round_=round_, goal_id=private.goal.pk
    ).summary
    with pytest.raises(NotFound):
        summary_approve(
            actor=private.outsider, circle=private.circle, round_=round_, summary_id=summary.pk
        )
