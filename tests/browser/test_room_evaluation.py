"""The room's evaluation workspace brings the public's feedback home (issue 13, item 4), in a
private expert circle (item 2): the working group's drafter — a viewer of that room — sees
the citizens' idea and the questionnaire answer on the round's goal with their source beside
the room's own comment and gives them a disposition; the moderator sees it after "Neu laden".
A member of other circles only and an anonymous visitor are refused the room.

And the speakers' queue says a point of order in words (item 7), for eyes and screen readers.

Seeds its own action fields (``tests/browser/test_drafter.py``'s ``seed``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Server
from tests.browser.support import assert_accessible, assert_no_junk_text
from tests.browser.test_drafter import IN_EVALUATION, open_room, seed, signed_in

pytestmark = pytest.mark.browser

ROOM = "/raeume/schulweg-test/"

# A private expert circle; a public idea of a citizen (expert2 signs in as one) linked to the
# goal and a public questionnaire's free-text answer (by expert1) about it; then the round.
PUBLIC_FEEDBACK = (
    """
from datetime import timedelta
from django.utils import timezone
from participation import services as pt
room.is_public = False
room.save(update_fields=["is_public"])
idea = pt.contribution_submit(actor=people["expert2"], concept=field.concept, kind="idea",
    action_field=field, title="Nachtbusse zu den Schulen", body="Auch abends sicher heim.")
pt.contribution_moderate(actor=people["moderator"], contribution_id=idea.pk, decision="approve")
pt.contribution_link_goal(actor=people["moderator"], contribution_id=idea.pk, goal_id=goal.pk)
q = pt.questionnaire_create(actor=people["moderator"], concept=field.concept, action_field=field,
    title="Schulwege im Alltag", distribution="public")
question = pt.question_add(actor=people["moderator"], questionnaire_id=q.pk, kind="text",
    text="Was fehlt auf Ihrem Schulweg?", required=False, goal_id=goal.pk)
pt.questionnaire_open(actor=people["moderator"], questionnaire_id=q.pk,
    deadline=timezone.now() + timedelta(days=7))
pt.response_save(actor=people["expert1"], questionnaire_id=q.pk,
    answers={question.pk: "Eine Ampel an der Hauptstraße."}, submit=True)
"""
    + IN_EVALUATION
)


def test_the_fields_drafter_decides_on_the_publics_feedback_in_the_private_rooms_evaluation(
    browser: Browser, server: Server
) -> None:
    seed(server, "schulweg-test", "Schulweg", "Sichere Wege zur Schule", PUBLIC_FEEDBACK)
    drafter = open_room(signed_in(browser, server, "drafter"), ROOM)
    moderator = open_room(signed_in(browser, server, "moderator"), ROOM)

    workspace = drafter.locator("#room-round")
    # The room's own comment and the public's feedback, side by side in the evaluation.
    expect(
        workspace.locator(".round-evaluation__item").filter(has_text="Bitte eine Frist nennen.")
    ).to_have_count(1)
    public = workspace.locator("#public-feedback")
    expect(public.get_by_role("heading", name="Rückmeldungen der Öffentlichkeit")).to_be_visible()
    idea = public.locator(".round-evaluation__item").filter(has_text="Nachtbusse zu den Schulen")
    expect(idea).to_contain_text("Idee")
    expect(idea).to_contain_text("Ziel: Sichere Wege zur Schule")
    expect(idea.get_by_role("link", name="Beitrag ansehen")).to_be_visible()
    answer = public.locator(".round-evaluation__item").filter(has_text="Eine Ampel")
    expect(answer).to_contain_text("Antwort im Fragebogen · Schulwege im Alltag")
    expect(answer).to_contain_text("Frage: Was fehlt auf Ihrem Schulweg?")
    expect(answer).to_contain_text("noch offen")
    assert_no_junk_text(drafter)
    assert_accessible(drafter)

    # The decision is saved through the API and shown at once, announced.
    answer.get_by_label("Entscheidung").select_option("partially_accepted")
    answer.get_by_label("Antwort").fill("Die Ampel kommt in die nächste Fassung.")
    idea.get_by_label("Antwort").fill("Noch nicht gespeichert")  # typed elsewhere: it stays
    answer.get_by_role("button", name="Speichern").click()
    decided = public.locator(".round-evaluation__item").filter(has_text="Eine Ampel")
    expect(decided).to_contain_text("Entscheidung: teilweise angenommen")
    expect(drafter.locator("#room-announcer")).to_contain_text("Entscheidung gespeichert.")
    expect(idea.get_by_label("Antwort")).to_have_value("Noch nicht gespeichert")
    # A room event redraws the round panel: what is typed in the public list survives it.
    moderator.locator("#hand-toggle").click()
    expect(drafter.locator("#hand-queue .hand")).to_have_count(1)
    expect(idea.get_by_label("Antwort")).to_have_value("Noch nicht gespeichert")
    moderator.locator("#hand-toggle").click()
    expect(drafter.locator("#hand-queue .hand")).to_have_count(0)

    # The moderator, who loaded the list before, sees the decision after "Neu laden".
    mod_public = moderator.locator("#public-feedback")
    expect(mod_public.locator(".round-evaluation__item")).to_have_count(2)
    mod_public.get_by_role("button", name="Neu laden").click()
    expect(
        mod_public.locator(".round-evaluation__item").filter(has_text="Eine Ampel")
    ).to_contain_text("Entscheidung: teilweise angenommen")
    # The round's box links the public feedback's own page.
    href = moderator.get_by_role("link", name="Rückmeldungen der Öffentlichkeit").first
    expect(href).to_have_attribute("href", "/beteiligung/raeume/schulweg-test/rueckmeldungen/")
    assert_accessible(moderator)

    # expert3 is a member of the demo's circles only; anonymous visitors see no private room.
    stranger = signed_in(browser, server, "expert3")
    refused = stranger.goto(ROOM)
    assert refused is not None and refused.status in (403, 404)
    api = stranger.request.get("/api/v1/circles/schulweg-test/rounds/1/public-feedback/")
    assert api.status == 404
    anonymous = browser.new_context(base_url=server.url, locale="de-DE").new_page()
    gone = anonymous.goto(ROOM)
    assert gone is not None and gone.status in (403, 404)
    for page in (drafter, moderator, stranger, anonymous):
        page.context.close()


def test_a_point_of_order_is_marked_in_the_queue_for_everyone(
    browser: Browser, server: Server
) -> None:
    seed(server, "ordnung-test", "Ordnung", "Klare Regeln")
    expert = open_room(signed_in(browser, server, "expert1"), "/raeume/ordnung-test/")
    other = open_room(signed_in(browser, server, "expert2"), "/raeume/ordnung-test/")

    other.get_by_role("button", name="Hand heben", exact=True).first.click()
    expect(expert.locator("#hand-queue .hand")).to_have_count(1)
    expert.get_by_role("button", name="Geschäftsordnungsantrag").click()

    queue = expert.locator("#hand-queue")
    first = queue.locator(".hand").first
    expect(first).to_contain_text("Geschäftsordnungsantrag")
    expect(first).to_contain_text("Platz 1")
    # In words, as a screen reader reads the list item (not a colour or icon only).
    text = other.locator("#hand-queue .hand").first.inner_text()
    assert "Geschäftsordnungsantrag" in text, text
    assert "Geschäftsordnungsantrag" not in queue.locator(".hand").nth(1).inner_text()
    assert_no_junk_text(expert)
    assert_accessible(expert)
    for page in (expert, other):
        page.get_by_role("button", name="Hand senken").first.click()
        page.context.close()
