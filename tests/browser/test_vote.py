"""The consensus vote in a real browser: the moderator opens a vote, three experts vote, a
viewer watches the turnout rise live, the moderator closes, and the adopted goal appears in
the concept document. Uses the sport circle of the shared demo server (the room tests use
another), and the pages only: casting through the room's own panel is the room's test."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server
from tests.browser.support import assert_accessible, log_in

pytestmark = pytest.mark.browser

CIRCLE = "sport"


def signed_in(browser: Browser, server: Server, username: str) -> Page:
    context = browser.new_context(base_url=server.url, locale="de-DE")
    page = context.new_page()
    log_in(page, username)
    return page


def test_three_experts_vote_and_the_goal_enters_the_concept(
    browser: Browser, server: Server, page: Page
) -> None:
    moderator = signed_in(browser, server, "moderator")
    moderator.goto(f"/raeume/{CIRCLE}/abstimmungen/neu/")
    first_goal = moderator.locator("input[name=goals]").first
    goal_title = re.sub(
        r" \(Fassung \d+\)$",
        "",
        moderator.locator(f"label[for='{first_goal.get_attribute('id')}']").inner_text().strip(),
    )
    first_goal.check()
    moderator.get_by_role("radio", name="Konsent").check()
    moderator.get_by_role("button", name="Abstimmung eröffnen").click()
    expect(moderator).to_have_url(re.compile(r"/abstimmungen/\d+/$"))
    motion_path = moderator.url.removeprefix(server.url)

    # an anonymous viewer watches the turnout
    page.goto(motion_path)
    turnout = page.locator("[data-live=turnout] .vote-turnout")
    expect(turnout).to_contain_text("0 von 3")
    assert_accessible(page)

    for number, username in enumerate(("expert1", "expert2", "expert3"), start=1):
        voter = signed_in(browser, server, username)
        voter.goto(motion_path)
        voter.get_by_label("Zustimmung", exact=True).check()
        voter.get_by_label("Ich habe meine Auswahl geprüft").check()
        voter.get_by_role("button", name="Stimme abgeben").click()
        expect(voter.locator(".messages")).to_contain_text("Ihre Stimme ist abgegeben.")
        expect(turnout).to_contain_text(f"{number} von 3")  # live, over the room socket
        voter.context.close()

    moderator.goto(motion_path)
    moderator.get_by_label("Abstimmung jetzt schließen").check()
    moderator.get_by_role("button", name="Schließen und auszählen").click()
    expect(moderator.locator(".messages")).to_contain_text("angenommen")

    expect(page.locator(".vote-outcome")).to_contain_text("angenommen")  # live as well
    expect(page.locator("[data-digest]")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    assert_accessible(page)

    page.goto("/konzept/")
    section = page.locator(".concept-doc__field", has_text="Sport")
    expect(section.locator("h3", has_text=goal_title)).to_be_visible()
    expect(section.get_by_role("link", name=re.compile("Abstimmungsergebnis"))).to_have_attribute(
        "href", motion_path
    )
    assert_accessible(page)
    moderator.context.close()
