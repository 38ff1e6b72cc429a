"""The working group's drafter does the drafter's job in the UI (issue 13, item 2): in the
expert circle's room, where the drafter is only a viewer, they give the round's feedback its
disposition and publish a revised version linked to it ("Fassung veröffentlichen"); their
own working group's room offers the revision form for the field's goals.

Each test seeds its own action field through ``manage.py shell`` against the server's
database (before any page opens: the pages read it in their welcome), so no other browser
test's room state matters."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server
from tests.browser.support import assert_accessible, assert_no_junk_text, log_in

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

# Builds a fresh action field SLUG with its expert circle SLUG (moderator, expert1) and
# working group SLUG-ag (drafter only), and a goal in discussion. Then EXTRA runs.
SEED = """
from django.contrib.auth import get_user_model
from deliberation import services
from deliberation.models import ActionField, Circle, Concept, Membership
from deliberation.rounds import services as rounds
User = get_user_model()
people = {u.username: u for u in User.objects.filter(
    username__in=["moderator", "expert1", "expert2", "drafter"])}
field = ActionField.objects.create(
    concept=Concept.objects.order_by("pk").first(), slug=SLUG, title=TITLE, order=90)
room = Circle.objects.create(action_field=field, kind="expert_circle", slug=SLUG,
    title="Expertenkreis " + TITLE, is_public=True)
group = Circle.objects.create(action_field=field, kind="working_group", slug=SLUG + "-ag",
    title="Arbeitsgruppe " + TITLE, is_public=True)
Membership.objects.create(user=people["moderator"], circle=room, role="moderator")
Membership.objects.create(user=people["expert1"], circle=room, role="expert")
Membership.objects.create(user=people["expert2"], circle=room, role="expert")
Membership.objects.create(user=people["moderator"], circle=group, role="moderator")
Membership.objects.create(user=people["drafter"], circle=group, role="drafter")
goal = services.goal_create(actor=None, action_field=field, title=GOAL, text="Erster Text.")
services.goal_transition(actor=None, goal=goal, to_status="in_discussion")
"""


def seed(server: Server, slug: str, title: str, goal: str, extra: str = "") -> None:
    """Run the seed (and ``extra``, Python with ``people``, ``room``, ``goal`` …) in the
    server's database."""
    assert server.daphne is not None
    code = f"SLUG = {slug!r}\nTITLE = {title!r}\nGOAL = {goal!r}\n{SEED}\n{extra}"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=server.daphne.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def signed_in(browser: Browser, server: Server, username: str) -> Page:
    page = browser.new_context(base_url=server.url, locale="de-DE").new_page()
    log_in(page, username)
    return page


def open_room(page: Page, path: str) -> Page:
    page.goto(path)
    expect(page.locator("body")).to_have_attribute("data-ws", "open")
    return page


IN_EVALUATION = """
rounds.round_open(actor=people["moderator"], circle=room,
    agenda=[{"goal": goal.pk, "time_box": None}])
services.comment_post(actor=people["expert1"], circle=room, goal_id=goal.pk,
    body="Bitte eine Frist nennen.", client_key="frist-" + SLUG)
rounds.round_set_phase(actor=people["moderator"], circle=room, phase="evaluation")
"""


def test_the_working_groups_drafter_evaluates_and_publishes_a_version_from_the_room(
    browser: Browser, server: Server
) -> None:
    seed(server, "wohnen-ag-test", "Wohnen", "Wohnraum für alle", IN_EVALUATION)
    drafter = open_room(signed_in(browser, server, "drafter"), "/raeume/wohnen-ag-test/")
    moderator = open_room(signed_in(browser, server, "moderator"), "/raeume/wohnen-ag-test/")
    expert = open_room(signed_in(browser, server, "expert1"), "/raeume/wohnen-ag-test/")

    # A viewer of this room by role, the drafter gets the evaluation workspace.
    item = drafter.locator(".round-evaluation__item").filter(has_text="Bitte eine Frist nennen.")
    expect(item).to_have_count(1)
    item.get_by_label("Entscheidung").select_option("accepted")
    item.get_by_label("Antwort").fill("Wir nennen 2027 als Frist.")
    item.get_by_role("button", name="Speichern").click()
    # Everybody sees the decision on the comment card, live.
    card = expert.locator(".comment").filter(has_text="Bitte eine Frist nennen.")
    expect(card).to_contain_text("Entscheidung: angenommen")
    expect(card).to_contain_text("Wir nennen 2027 als Frist.")
    assert_no_junk_text(drafter)
    assert_accessible(drafter)

    # In revision the drafter publishes the new version, linked to the comment.
    moderator.get_by_role("button", name="Weiter zur Phase „Überarbeitung“").click()
    moderator.get_by_role("dialog").get_by_role("button", name="Phase wechseln").click()
    form = drafter.locator(".round-revision__form").filter(has_text="Wohnraum für alle")
    expect(form).to_be_visible()
    new_text = "Bis 2027 gibt es Wohnraum für alle."
    form.get_by_label("Text der neuen Fassung (Markdown, Absätze durch Leerzeilen)").fill(new_text)
    form.get_by_label("Was hat sich geändert? (kurz)").fill("Frist ergänzt")
    expect(form.get_by_role("checkbox", name="Bitte eine Frist nennen.")).to_be_checked()
    form.get_by_role("button", name="Fassung veröffentlichen").click()
    expect(expert.locator("#absatz-1")).to_contain_text(new_text)
    expect(drafter.locator("#room-announcer")).to_contain_text("Fassung 2")
    assert_no_junk_text(drafter)
    assert_accessible(drafter)

    # After a reload, the round closed, the decision still shows on the comment card.
    moderator.get_by_role("button", name="Weiter zur Phase „Abgeschlossen“").click()
    moderator.get_by_role("dialog").get_by_role("button", name="Phase wechseln").click()
    expect(expert.locator("#round-title")).to_have_text("Freie Diskussion")
    expert.reload()
    expect(expert.locator("body")).to_have_attribute("data-ws", "open")
    card = expert.locator(".comment").filter(has_text="Bitte eine Frist nennen.")
    expect(card).to_contain_text("Entscheidung: angenommen")
    for page in (drafter, moderator, expert):
        page.context.close()


def test_the_drafters_own_working_group_room_offers_the_revision_form(
    browser: Browser, server: Server
) -> None:
    seed(server, "verkehr-ag-test", "Verkehr", "Sichere Schulwege")
    drafter = open_room(signed_in(browser, server, "drafter"), "/raeume/verkehr-ag-test-ag/")
    expect(drafter.locator("#round-title")).to_have_text("Freie Diskussion")
    form = drafter.locator(".round-revision__form").filter(has_text="Sichere Schulwege")
    expect(form).to_be_visible()
    form.get_by_label("Text der neuen Fassung (Markdown, Absätze durch Leerzeilen)").fill(
        "Jeder Schulweg ist sicher."
    )
    form.get_by_role("button", name="Fassung veröffentlichen").click()
    expect(drafter.locator("#room-announcer")).to_contain_text("Fassung 2")
    expect(form.get_by_role("heading")).to_contain_text("Fassung 3")
    assert_no_junk_text(drafter)
    assert_accessible(drafter)
    drafter.context.close()
