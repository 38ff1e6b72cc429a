"""Every page of a room fits a 375×740 phone for every role (issue 13, item 10: "no
horizontal scroll at 375 px anywhere"): the room itself during a round's evaluation with
every workspace section opened (the public's feedback loaded), the projector view, the
room's votes, the new-vote form, the round's report, the public feedback page, attendance,
members, the goal page and its diff — as the moderator, an expert, the working group's
drafter and an anonymous viewer. And nothing on them reads "null" or "undefined".

Seeds its own action field (``tests/browser/test_drafter.py``'s ``seed``)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server
from tests.browser.support import assert_no_junk_text, log_in
from tests.browser.test_drafter import seed
from tests.browser.test_room_evaluation import PUBLIC_FEEDBACK

pytestmark = pytest.mark.browser

SLUG = "breite-test"
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
# The seed's room is public here (the phone's anonymous viewer reads along).
SEED = PUBLIC_FEEDBACK.replace("room.is_public = False\n", "")

ALL = [
    f"/raeume/{SLUG}/",
    f"/raeume/{SLUG}/projektion/",
    f"/raeume/{SLUG}/abstimmungen/",
    f"/raeume/{SLUG}/runden/1/auswertung/",
    f"/beteiligung/raeume/{SLUG}/rueckmeldungen/",
    "GOAL",
    "GOAL/vergleich/",
]
MODERATOR_ONLY = [
    f"/raeume/{SLUG}/abstimmungen/neu/",
    f"/raeume/{SLUG}/anwesenheit/",
    f"/raeume/{SLUG}/mitglieder/",
]


def phone(browser: Browser, server: Server, username: str | None) -> Page:
    page = browser.new_context(base_url=server.url, locale="de-DE", **PHONE).new_page()  # type: ignore[arg-type]
    if username:
        log_in(page, username)
    return page


def width_of(page: Page, path: str) -> int:
    response = page.goto(path)
    assert response is not None and response.ok, (path, response and response.status)
    if path == f"/raeume/{SLUG}/":
        expect(page.locator("body")).to_have_attribute("data-ws", "open")
        # Every section of the round's workspace open, as someone working through it would.
        page.locator("#room-round details").evaluate_all("ds => ds.forEach(d => d.open = true)")
        if page.locator("#public-feedback").count():
            expect(page.locator("#public-feedback .round-evaluation__item")).to_have_count(2)
    elif path.endswith("/projektion/"):
        expect(page.locator("body")).to_have_attribute("data-ws", "open")
    assert_no_junk_text(page)
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


def test_every_room_page_fits_a_phone_for_every_role(browser: Browser, server: Server) -> None:
    seed(server, SLUG, "Breite", "Ein Ziel für schmale Bildschirme", SEED)
    people = {name: phone(browser, server, name) for name in ("moderator", "expert1", "drafter")}
    people["anonymous"] = phone(browser, server, None)

    people["moderator"].goto(f"/handlungsfelder/{SLUG}/")
    hrefs = (
        people["moderator"]
        .locator("a[href]")
        .evaluate_all("links => links.map(a => a.getAttribute('href'))")
    )
    goal = next(h for h in hrefs if re.fullmatch(r"/ziele/\d+/", h))

    too_wide = []
    for name, page in people.items():
        paths = ALL + (MODERATOR_ONLY if name == "moderator" else [])
        for path in paths:
            path = path.replace("GOAL/", goal).replace("GOAL", goal)
            width = width_of(page, path)
            if width > 375:
                too_wide.append(f"{name} {path}: {width} px")
    assert not too_wide, "pages wider than the phone:\n" + "\n".join(too_wide)
    # The drafter (a viewer here by role) got the evaluation workspace with the public's
    # feedback; the anonymous viewer did not.
    people["drafter"].goto(f"/raeume/{SLUG}/")
    expect(people["drafter"].locator("#public-feedback")).to_have_count(1)
    people["anonymous"].goto(f"/raeume/{SLUG}/")
    expect(people["anonymous"].locator("body")).to_have_attribute("data-ws", "open")
    expect(people["anonymous"].locator("#public-feedback")).to_have_count(0)
    for page in people.values():
        page.context.close()
