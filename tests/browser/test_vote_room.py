"""The vote in the room, in a real browser: the room's vote form sets the whole rule of the
full form, each vote links to its page, and a page that was away hears in one sentence what
happened meanwhile ("Während Sie weg waren: …").

Uses the demo circles ``sport`` and ``sport-ag`` (other browser tests use other circles of the
shared server)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Locator, Page, WebSocketRoute, expect

from tests.browser.conftest import Server
from tests.browser.support import assert_accessible, assert_no_junk_text, log_in

pytestmark = pytest.mark.browser

VOTE_ROOM = "/raeume/sport/"
AWAY_ROOM = "/raeume/gesundheit-ag/"  # a room no other browser test opens a round in
SOCKET = re.compile(r"/ws/rooms/")
RECONNECT = 20_000  # ms: the backoff after a few refused attempts


def signed_in(browser: Browser, server: Server, username: str, **options: object) -> Page:
    context = browser.new_context(  # type: ignore[arg-type]
        base_url=server.url, locale="de-DE", timezone_id="Europe/Berlin", **options
    )
    page = context.new_page()
    log_in(page, username)
    return page


def open_room(page: Page, path: str) -> Page:
    page.goto(path)
    expect(page.locator("body")).to_have_attribute("data-ws", "open")
    return page


def goals_of(opener: Locator) -> Locator:
    """The goal checkboxes of the room's vote form."""
    return opener.get_by_role("group", name="Über diese Ziele (je eine Abstimmung)").get_by_role(
        "checkbox"
    )


@dataclass
class Outage:
    """Cuts one page's room socket, as a dropped Wi-Fi would, while the server stays up."""

    down: bool = False
    routes: list[WebSocketRoute] = field(default_factory=list)

    def install(self, page: Page) -> Outage:
        page.route_web_socket(SOCKET, self._route)
        return self

    def _route(self, ws: WebSocketRoute) -> None:
        if self.down:
            ws.close(code=4000, reason="network down")
            return
        ws.connect_to_server()
        self.routes.append(ws)

    def cut(self) -> None:
        self.down = True
        while self.routes:
            self.routes.pop().close(code=4000, reason="network down")

    def restore(self) -> None:
        self.down = False


def test_the_room_form_opens_a_vote_with_the_whole_rule_shown_on_the_motions_page(
    browser: Browser, server: Server
) -> None:
    moderator = open_room(signed_in(browser, server, "moderator"), VOTE_ROOM)
    votes = moderator.locator("#room-votes")
    # The room links to the circle's votes and to the full form.
    expect(votes.get_by_role("link", name="Ausführliches Abstimmungsformular")).to_have_attribute(
        "href", "/raeume/sport/abstimmungen/neu/"
    )
    expect(votes.get_by_role("link", name="Alle Abstimmungen dieses Raums")).to_have_attribute(
        "href", "/raeume/sport/abstimmungen/"
    )

    opener = moderator.locator("#room-votes-open")
    # The form offers every method of the full form; resistance asks for the wordings.
    method = opener.get_by_label("Verfahren")
    expect(method.locator("option")).to_have_text(["Konsent", "Mehrheit", "Widerstandsabfrage"])
    alternatives = opener.get_by_label("Alternative Fassungen (nur Widerstandsabfrage)")
    expect(alternatives).to_be_hidden()
    method.select_option("resistance")
    expect(alternatives).to_be_visible()
    method.select_option("consent")

    goal = goals_of(opener).first
    title = goal.locator("xpath=..").inner_text().strip()
    goal.check()
    opener.get_by_text("Regel: Quorum, Schwelle, Frist …").click()
    opener.get_by_label("Quorum", exact=True).fill("2/3")
    opener.get_by_label("Schwelle", exact=True).fill("3/4")
    opener.get_by_label("Schwellenart").select_option("more_than")
    opener.get_by_label("Ein Veto blockiert (Konsent)").uncheck()
    opener.get_by_label("Stimmen bis zum Schluss änderbar").uncheck()
    deadline = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    opener.get_by_label("Frist").fill(f"{deadline}T18:30")
    opener.get_by_label("Falls nicht angenommen").select_option("rejected")
    opener.get_by_label("Geheime Abstimmung").check()
    assert_accessible(moderator)
    opener.get_by_role("button", name="Abstimmung eröffnen").click()

    card = moderator.locator(".vote-panel__motion", has_text=title)
    expect(card).to_contain_text("0 von 3 haben abgestimmt")
    expect(card.locator(".vote-rule")).to_contain_text("geheim")
    assert_no_junk_text(moderator)

    # The card links to the vote's own page, which shows the rule as it was set.
    href = card.get_by_role("link", name="Seite der Abstimmung").get_attribute("href") or ""
    assert re.fullmatch(r"/abstimmungen/\d+/", href), href
    moderator.goto(href)
    rule = moderator.locator(".vote-rule")
    day = dt.date.fromisoformat(deadline)

    def line(term: str) -> str:
        return rule.locator(f"dt:text-is('{term}') + dd").inner_text()

    assert line("Quorum").startswith("mindestens 2/3 (66,7 %)")
    assert line("Schwelle").startswith("mehr als 3/4 (75,0 %)")
    assert line("Veto") == "Ein Veto zählt als Gegenstimme, blockiert aber nicht."
    assert line("Stimmabgabe").startswith("geheim")
    assert line("Änderungen") == "Eine abgegebene Stimme ist endgültig."
    assert f"{day.day}. " in line("Frist") and str(day.year) in line("Frist")
    assert "18:30" in line("Frist")
    moderator.context.close()


def test_coming_back_after_an_outage_says_what_happened_meanwhile(
    browser: Browser, server: Server
) -> None:
    moderator = open_room(signed_in(browser, server, "moderator"), AWAY_ROOM)
    expert = signed_in(browser, server, "expert1")
    network = Outage().install(expert)
    open_room(expert, AWAY_ROOM)

    # The expert raises a hand, then the network drops.
    expert.get_by_role("button", name="Hand heben").first.click()
    expect(moderator.locator("#hand-queue")).to_contain_text("Ayşe")
    expect(moderator.get_by_role("button", name="Nächste Wortmeldung")).to_be_enabled()
    network.cut()
    expect(expert.locator("body")).to_have_attribute("data-ws", "offline")

    # Meanwhile: two comments, the expert gets the floor, a vote opens.
    box = moderator.get_by_label("Kommentar (Markdown)")
    for text in ("Erster Punkt, während Sie weg waren.", "Zweiter Punkt dazu."):
        box.fill(text)
        box.press("Control+Enter")
        expect(moderator.locator(".comment__body", has_text=text)).to_have_count(1)
    moderator.get_by_role("button", name="Nächste Wortmeldung").click()
    expect(moderator.locator("#hand-queue")).to_contain_text("hat das Wort")
    opener = moderator.locator("#room-votes-open")
    goals_of(opener).last.check()
    opener.get_by_role("button", name="Abstimmung eröffnen").click()
    expect(moderator.locator(".vote-panel__motion")).not_to_have_count(0)

    # Back online: one summary, visible and in a live region, with a way to the ballot.
    network.restore()
    expect(expert.locator("body")).to_have_attribute("data-ws", "open", timeout=RECONNECT)
    notice = expert.locator("#room-notice-text")
    expect(notice).to_have_text(
        "Während Sie weg waren: 2 neue Kommentare, Abstimmung eröffnet, Sie sind dran"
    )
    expect(notice).to_have_attribute("aria-live", "polite")
    assert_accessible(expert)
    expert.get_by_role("button", name="Zur Abstimmung").click()
    expect(expert.locator("#room-notice")).to_have_attribute("data-shown", "false")
    focused = expert.evaluate("() => document.activeElement.id")
    assert re.fullmatch(r"motion-\d+-title", focused), focused
    assert_no_junk_text(expert)
    moderator.context.close()
    expert.context.close()


PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
HEADER_MAX = 120  # px: the signed-in header on a phone, at most a sixth of the screen


def first_link(page: Page, pattern: str) -> str | None:
    """The first link on the page whose address matches ``pattern`` (a regular expression)."""
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return next((h for h in hrefs if re.search(pattern, h)), None)


def test_no_main_page_scrolls_sideways_on_a_phone_and_the_header_stays_compact(
    browser: Browser, server: Server
) -> None:
    """Runs after the tests above: the demo has a vote (sport) and a closed round (sport-ag,
    tests/browser/test_phone.py) by now; a questionnaire is built here if there is none."""
    moderator = signed_in(browser, server, "moderator", **PHONE)
    admin = signed_in(browser, server, "admin", **PHONE)
    viewer = browser.new_context(base_url=server.url, locale="de-DE", **PHONE).new_page()  # type: ignore[arg-type]

    admin.goto("/beteiligung/fragebogen/")
    results = first_link(admin, r"/auswertung/$")
    if results is None:
        from tests.browser.test_questionnaire import _build_questionnaire

        _build_questionnaire(admin)
        admin.goto("/beteiligung/fragebogen/")
        results = first_link(admin, r"/auswertung/$")
    assert results, "no questionnaire results page to check"

    moderator.goto("/raeume/sport/abstimmungen/")
    motion = first_link(moderator, r"^/abstimmungen/\d+/$")
    assert motion, "the vote opened in the room above is listed"
    moderator.goto("/")
    goal = first_link(moderator, r"^/ziele/\d+/$")
    assert goal
    pages: list[tuple[Page, str]] = [
        (moderator, "/"),
        (moderator, "/konzept/"),
        (moderator, "/handlungsfelder/sport/"),
        (moderator, goal),
        (moderator, "/raeume/"),
        (viewer, "/raeume/sport/"),
        (moderator, motion),
        (viewer, motion),
        (moderator, "/raeume/sport/abstimmungen/"),
        (moderator, "/beteiligung/"),
        (moderator, "/beteiligung/ideen/"),
        (admin, results),
        (moderator, "/raeume/sport-ag/runden/1/auswertung/"),
    ]
    too_wide = []
    for page, path in pages:
        response = page.goto(path)
        assert response is not None and response.ok, (path, response and response.status)
        if path.startswith("/raeume/sport/") and page is viewer:
            expect(page.locator("body")).to_have_attribute("data-ws", "open")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 375:
            too_wide.append(f"{path}: {width} px")
    assert not too_wide, "pages wider than the phone:\n" + "\n".join(too_wide)

    # The signed-in header is compact on the phone.
    for page in (moderator, admin):
        page.goto("/")
        height = page.locator(".site-header").evaluate("n => n.getBoundingClientRect().height")
        assert height <= HEADER_MAX, f"the header takes {height} px"
    assert_accessible(moderator)
    for page in (moderator, admin, viewer):
        page.context.close()
