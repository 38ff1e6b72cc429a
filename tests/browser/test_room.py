"""The live room in a real browser: experts post, viewers follow, and nothing is lost or doubled
when connections drop or the server restarts.

Every page is a person of its own (own browser context, own cookies). The server is the
session's Daphne over the demo (``conftest.py``); these tests post into the demo room
``bildung-sprache`` and each looks only for its own comments. Waiting is Playwright's: on
``data-ws`` on ``<body>`` (``connecting`` → ``open``, ``offline`` while the socket is down) and
on what the pages show.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, WebSocketRoute, expect

from tests.browser.conftest import ROOT, Daphne
from tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

ROOM = "/raeume/bildung-sprache/"
SOCKET = re.compile(r"/ws/rooms/bildung-sprache/")
# Milliseconds to wait for a page that reconnects by itself: its backoff (0.5 s, 1 s, 2 s, …
# with jitter) runs while the server starts again.
RECONNECT = 30_000
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
# KONSENS_SCREENSHOTS=1 refreshes the pictures the README shows.
SCREENSHOTS = ROOT / "docs" / "screenshots" if os.environ.get("KONSENS_SCREENSHOTS") else None


# --- helpers ------------------------------------------------------------------------------


def body(page: Page) -> Locator:
    return page.locator("body")


def open_room(page: Page) -> Page:
    page.goto(ROOM)
    expect(body(page)).to_have_attribute("data-ws", "open")
    return page


def comments(page: Page, text: str) -> Locator:
    """The comments on ``page`` whose text contains ``text``."""
    return page.locator(".comment__body", has_text=text)


def post(page: Page, text: str, *, paragraph: int | None = None, shown: str = "") -> None:
    """Write a comment the way a person does (Ctrl+Enter sends) and wait until it is shown
    (as ``shown`` when its Markdown renders differently)."""
    if paragraph is not None:
        page.locator(f"#absatz-{paragraph} .room-para__marker").click()
    box = page.get_by_label("Kommentar (Markdown)")
    box.fill(text)
    box.press("Control+Enter")
    expect(comments(page, shown or text)).to_have_count(1)
    expect(box).to_have_value("")


def everyone_sees_once(pages: list[Page], *texts: str, timeout: float | None = None) -> None:
    for page in pages:
        for text in texts:
            expect(comments(page, text)).to_have_count(1, timeout=timeout)


@pytest.fixture
def viewer_page(new_context: Callable[..., BrowserContext]) -> Page:
    """An anonymous visitor (no session)."""
    return new_context().new_page()


@dataclass
class Outage:
    """Cuts one page's room socket, as a dropped Wi-Fi would, while the server stays up.

    The page's sockets are routed through Playwright (to the real server); ``cut()`` closes
    the current one and refuses new ones until ``restore()``."""

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


@dataclass
class LostAnswer:
    """Lets the page's next ``comment.post`` reach the server but drops the connection before
    the page hears anything back, exactly when the server has acknowledged it; records what
    the page sends and hears on later connections."""

    armed: bool = True
    client_key: str | None = None
    first_ack: dict[str, Any] | None = None
    retries: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)

    def install(self, page: Page) -> LostAnswer:
        page.route_web_socket(SOCKET, self._route)
        return self

    def _route(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        lost: dict[str, Any] = {}

        def page_to_server(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") == "comment.post":
                if self.armed:
                    self.armed = False
                    self.client_key = frame["client_key"]
                    lost["id"] = frame["id"]
                else:
                    self.retries.append(frame)
            server.send(message)

        def server_to_page(message: str | bytes) -> None:
            frame = json.loads(message)
            if "id" not in lost:
                if frame.get("type") == "ack":
                    self.answers.append(frame)
                ws.send(message)
            elif frame.get("type") == "ack" and frame.get("id") == lost["id"]:
                # The comment exists now; the page never learns of it on this connection.
                self.first_ack = frame
                ws.close(code=4000, reason="network down")

        ws.on_message(page_to_server)
        server.on_message(server_to_page)


@dataclass
class SplitWelcome:
    """Delivers the server's welcome as a long-lived room's arrives (``docs/protocol.md``,
    ``snapshot.part``): the first comment in the ``welcome``, the others one per part."""

    parts: list[int] = field(default_factory=list)  # how many parts each welcome had

    def install(self, page: Page) -> SplitWelcome:
        page.route_web_socket(SOCKET, self._route)
        return self

    def _route(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def server_to_page(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") != "welcome" or not frame.get("snapshot"):
                ws.send(message)
                return
            first, *rest = frame["snapshot"]["comments"]
            frame["snapshot"]["comments"], frame["parts"] = [first], len(rest)
            self.parts.append(len(rest))
            ws.send(json.dumps(frame))
            for index, comment in enumerate(rest, 1):
                ws.send(
                    json.dumps({"type": "snapshot.part", "index": index, "comments": [comment]})
                )

        server.on_message(server_to_page)


# --- posting and reading live ---------------------------------------------------------------


def test_a_comment_reaches_the_other_expert_and_the_viewer_without_reloading(
    user_page: Callable[..., Page], viewer_page: Page
) -> None:
    ayse = open_room(user_page("expert1"))
    jonas = open_room(user_page("expert2"))
    viewer = open_room(viewer_page)

    text = "Wie wird „alltagsintegriert“ gemessen? Vorschlag: die **Sprachstandserhebung**."
    shown = "Wie wird „alltagsintegriert“ gemessen? Vorschlag: die Sprachstandserhebung."
    post(ayse, text, paragraph=1, shown=shown)

    for page in (jonas, viewer):
        comment = page.locator(".comment", has=comments(page, shown))
        expect(comment).to_have_count(1)
        expect(comment.locator(".comment__author")).to_have_text("Ayşe Yılmaz")
        expect(comment.locator(".comment__anchor")).to_have_text("zu Absatz 1")
        expect(comment.locator(".comment__body strong")).to_have_text("Sprachstandserhebung")
        expect(page.locator("#absatz-1 .room-para__count")).not_to_have_text("")
    # Markdown is rendered by the server, and the page shows who is here.
    expect(jonas.locator("#presence-list")).to_contain_text("Ayşe Yılmaz")
    expect(viewer.locator("#presence-list")).to_contain_text("Jonas Becker")
    expect(viewer.locator("#presence-viewers")).to_contain_text(re.compile(r"[1-9]\d* Person"))


def test_a_viewer_entering_a_room_whose_snapshot_comes_in_parts_sees_every_comment_once(
    user_page: Callable[..., Page], viewer_page: Page
) -> None:
    ayse = open_room(user_page("expert1"))
    earlier = ["Teil eins: Elternabende mehrsprachig.", "Teil zwei: Lotsen in jeder Kita."]
    for text in earlier:
        post(ayse, text)
    split = SplitWelcome().install(viewer_page)
    viewer = open_room(viewer_page)
    assert split.parts and split.parts[0] >= 2
    everyone_sees_once([viewer], *earlier)
    # Live events follow the parts as usual.
    later = "Teil drei: ein Fonds für Übersetzungen."
    post(ayse, later)
    everyone_sees_once([viewer], *earlier, later)


def test_the_viewer_has_no_way_to_post_and_a_forged_post_frame_is_refused(
    user_page: Callable[..., Page], viewer_page: Page
) -> None:
    ayse = open_room(user_page("expert1"))
    viewer = open_room(viewer_page)
    visible = "Ein Kommentar, den die Zuschauerin lesen, aber nicht beantworten kann."
    post(ayse, visible)
    expect(comments(viewer, visible)).to_have_count(1)

    expect(viewer.locator("#composer")).to_have_count(0)
    expect(viewer.locator("textarea")).to_have_count(0)
    expect(viewer.locator("#hand-toggle")).to_have_count(0)
    expect(viewer.locator(".room-para__marker[data-paragraph]")).to_have_count(0)
    expect(
        viewer.get_by_role("button", name=re.compile("Antworten|Bearbeiten|Ausblenden"))
    ).to_have_count(0)

    forged = "Gefälschter Beitrag eines Zuschauers"
    answer = viewer.evaluate(
        """async ({path, body}) => {
            const ws = new WebSocket(`ws://${location.host}${path}`);
            return await new Promise((resolve, reject) => {
                let role = null;
                ws.onerror = () => reject(new Error("socket failed"));
                ws.onmessage = (message) => {
                    const frame = JSON.parse(message.data);
                    if (frame.type === "welcome") {
                        role = frame.role;
                        ws.send(JSON.stringify({
                            type: "comment.post", id: "forged-1", body,
                            goal: frame.snapshot.goals[0].id, client_key: "forged-1",
                        }));
                    } else if (frame.id === "forged-1") {
                        ws.close();
                        resolve({role, frame});
                    }
                };
            });
        }""",
        {"path": "/ws/rooms/bildung-sprache/", "body": forged},
    )
    assert answer["role"] == "viewer"
    assert answer["frame"]["type"] == "error"
    assert answer["frame"]["code"] == "forbidden"
    assert answer["frame"]["message"]
    # The refusal changed nothing: a comment posted after it is the next thing everyone sees.
    marker = "Nach dem gefälschten Versuch: nur dieser Kommentar ist neu."
    post(ayse, marker)
    everyone_sees_once([viewer, ayse], marker)
    for page in (viewer, ayse):
        expect(comments(page, forged)).to_have_count(0)


def test_the_client_applies_each_event_once_in_order_and_notices_gaps(viewer_page: Page) -> None:
    page = open_room(viewer_page)
    main_js = page.locator("script[type=module]").get_attribute("src")
    assert main_js
    result = page.evaluate(
        """async (src) => {
            const { RoomStore } = await import(src.replace("main.js", "store.js"));
            const store = new RoomStore();
            const goal = {id: 1, order: 1, status: "in_discussion", title: "Ziel", version: null};
            store.welcome({type: "welcome", role: "viewer", seq: 5, me: null, snapshot: {
                room: {}, goals: [goal], comments: [], hands: [], focus: null,
                presence: {members: [], viewers: 0}}});
            const comment = {id: 10, goal: 1, reply_to: null, anchor: null, state: "visible"};
            const event = (seq, kind, data) => ({type: "event", seq, kind, data});
            return {
                steps: [
                    store.apply(event(6, "comment.created", {comment})),
                    store.apply(event(6, "comment.created", {comment})),
                    store.apply(event(8, "focus.changed", {goal: 1})),
                    store.apply(event(7, "some.future.kind", {})),
                    store.apply(event(8, "focus.changed", {goal: 1})),
                ],
                seq: store.seq,
                comments: store.state.comments.size,
                focus: store.state.focus,
                resumable: store.welcome({type: "welcome", role: "viewer", seq: 8, snapshot: null}),
                otherRole: store.welcome({type: "welcome", role: "expert", seq: 8, snapshot: null}),
            };
        }""",
        main_js,
    )
    assert result == {
        # applied; a repeat; beyond a gap; an unknown kind still counts; the missed one.
        "steps": ["applied", "duplicate", "gap", "applied", "applied"],
        "seq": 8,
        "comments": 1,
        "focus": 1,
        "resumable": "kept",
        "otherRole": "stale",
    }


# --- connections that drop ---------------------------------------------------------------------


def test_pages_reconnect_by_themselves_after_a_server_restart_and_show_every_comment_once(
    user_page: Callable[..., Page], viewer_page: Page, daphne: Daphne
) -> None:
    ayse = open_room(user_page("expert1"))
    jonas = open_room(user_page("expert2"))
    network = Outage().install(viewer_page)
    viewer = open_room(viewer_page)
    pages = [ayse, jonas, viewer]

    before = "Die Fortbildungen sollten auch Tagespflegepersonen offenstehen."
    post(ayse, before)
    everyone_sees_once(pages, before)

    daphne.stop()
    for page in pages:
        expect(body(page)).to_have_attribute("data-ws", "offline")
        expect(page.locator("#room-status")).to_contain_text("Offline")
    daphne.start()
    for page in pages:
        expect(body(page)).to_have_attribute("data-ws", "open", timeout=RECONNECT)

    after = "Gute Idee – dafür braucht es zusätzliche Mittel im Haushalt."
    post(jonas, after)
    everyone_sees_once(pages, before, after)

    # The viewer's network drops; a comment is posted meanwhile; the viewer catches up.
    network.cut()
    expect(body(viewer)).to_have_attribute("data-ws", "offline")
    during = "Können wir die Kitas in freier Trägerschaft ausdrücklich einbeziehen?"
    post(ayse, during)
    everyone_sees_once([ayse, jonas], during)
    network.restore()
    expect(body(viewer)).to_have_attribute("data-ws", "open", timeout=RECONNECT)
    everyone_sees_once(pages, before, after, during)


def test_a_post_whose_answer_was_lost_is_sent_again_and_shown_once(
    user_page: Callable[..., Page], new_context: Callable[..., BrowserContext]
) -> None:
    ayse = open_room(user_page("expert1"))
    jonas_page = user_page("expert2")
    link = LostAnswer().install(jonas_page)
    jonas = open_room(jonas_page)

    text = "Bitte ergänzen: Sprachförderung auch in den Herkunftssprachen der Kinder."
    post(jonas, text)  # shown once the page has reconnected, replayed and re-sent it
    expect(body(jonas)).to_have_attribute("data-ws", "open")
    expect(jonas.locator(".composer__pending-item")).to_have_count(0)
    everyone_sees_once([jonas, ayse], text)

    # The server had it the first time; the page sent it again with the same client_key and
    # was told it already exists.
    assert link.first_ack is not None and link.first_ack["created"] is True
    assert [r["client_key"] for r in link.retries] == [link.client_key]
    retry_ids = {r["id"] for r in link.retries}
    repeated = [a for a in link.answers if a["id"] in retry_ids]
    assert len(repeated) == 1
    assert repeated[0]["created"] is False
    assert repeated[0]["comment"] == link.first_ack["comment"]


def test_the_composer_keeps_the_text_while_offline(
    user_page: Callable[..., Page],
) -> None:
    page = user_page("expert1")
    network = Outage().install(page)
    open_room(page)
    box = page.get_by_label("Kommentar (Markdown)")
    send = page.get_by_role("button", name="Senden", exact=True)

    network.cut()
    expect(body(page)).to_have_attribute("data-ws", "offline")
    box.fill("Entwurf, geschrieben ohne Verbindung.")
    expect(send).to_be_disabled()
    expect(page.locator("#composer-offline")).to_be_visible()
    box.press("Control+Enter")  # nothing to send it over: it stays
    expect(box).to_have_value("Entwurf, geschrieben ohne Verbindung.")

    network.restore()
    expect(body(page)).to_have_attribute("data-ws", "open", timeout=RECONNECT)
    expect(send).to_be_enabled()
    expect(box).to_have_value("Entwurf, geschrieben ohne Verbindung.")
    box.fill("")


def test_a_refused_post_is_shown_in_an_alert_and_its_text_comes_back(
    user_page: Callable[..., Page],
) -> None:
    page = user_page("expert1")

    def wrong_goal(ws: WebSocketRoute) -> None:
        # The page asks for a goal that is not in this room: the server says so.
        server = ws.connect_to_server()

        def page_to_server(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") == "comment.post":
                frame["goal"] = 2_000_000_000
                message = json.dumps(frame)
            server.send(message)

        ws.on_message(page_to_server)

    page.route_web_socket(SOCKET, wrong_goal)
    open_room(page)
    box = page.get_by_label("Kommentar (Markdown)")
    box.fill("Dieser Text darf nicht verloren gehen.")
    box.press("Control+Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Ziel")
    expect(box).to_have_value("Dieser Text darf nicht verloren gehen.")
    expect(page.locator(".composer__pending-item")).to_have_count(0)
    alert.get_by_role("button", name="Hinweis schließen").click()
    expect(alert).to_be_empty()
    box.fill("")


def test_an_author_edits_their_comment_and_everyone_sees_the_new_text(
    user_page: Callable[..., Page], viewer_page: Page
) -> None:
    ayse = open_room(user_page("expert1"))
    viewer = open_room(viewer_page)
    post(ayse, "Die Elternabende sollten abends stattfinden.")
    ayse.locator(".comment", has=comments(ayse, "Elternabende sollten abends")).get_by_role(
        "button", name=re.compile("^Bearbeiten")
    ).click()
    editor = ayse.get_by_label("Ihren Kommentar bearbeiten")
    expect(editor).to_be_focused()
    editor.fill("Die Elternabende sollten am frühen Abend stattfinden.")
    editor.press("Control+Enter")
    edited = viewer.locator(".comment", has=comments(viewer, "am frühen Abend"))
    expect(edited).to_have_count(1)
    expect(edited.locator(".comment__edited")).to_have_text("bearbeitet")
    expect(comments(viewer, "sollten abends")).to_have_count(0)
    expect(ayse.get_by_label("Ihren Kommentar bearbeiten")).to_have_count(0)


# --- moderation, hands and focus ---------------------------------------------------------------


def test_moderator_hides_a_comment_with_a_reason_and_viewers_see_only_the_reason(
    user_page: Callable[..., Page], viewer_page: Page
) -> None:
    mara = open_room(user_page("moderator"))
    ayse = open_room(user_page("expert1"))
    viewer = open_room(viewer_page)
    text = "Das ist doch alles Unsinn, die Verwaltung schläft!"
    post(ayse, text)
    expect(comments(viewer, text)).to_have_count(1)

    mara.locator(".comment", has=comments(mara, text)).get_by_role(
        "button", name=re.compile("^Ausblenden")
    ).click()
    dialog = mara.get_by_role("dialog", name="Kommentar ausblenden")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Grund", exact=True).fill("Bitte sachlich bleiben.")
    dialog.get_by_role("button", name="Ausblenden").click()
    expect(dialog).to_be_hidden()

    hidden_note = viewer.locator(".comment__hidden-note", has_text="Bitte sachlich bleiben.")
    expect(hidden_note).to_have_count(1)
    expect(comments(viewer, text)).to_have_count(0)
    expect(comments(ayse, text)).to_have_count(0)
    # Moderators still read what was hidden, marked as such.
    expect(mara.locator(".comment__card--hidden", has=comments(mara, text))).to_have_count(1)

    mara.locator(".comment__card--hidden", has=comments(mara, text)).get_by_role(
        "button", name=re.compile("^Einblenden")
    ).click()
    dialog = mara.get_by_role("dialog", name="Kommentar wieder einblenden")
    dialog.get_by_label("Grund", exact=True).fill("Nach Rücksprache wieder sichtbar.")
    dialog.get_by_role("button", name="Einblenden").click()
    expect(comments(viewer, text)).to_have_count(1)


def test_hands_next_speaker_and_focus_follow_the_moderator(
    user_page: Callable[..., Page], viewer_page: Page
) -> None:
    mara = open_room(user_page("moderator"))
    ayse = open_room(user_page("expert1"))
    viewer = open_room(viewer_page)

    ayse.get_by_role("button", name="Hand heben").click()
    expect(mara.locator(".hand", has_text="Ayşe Yılmaz")).to_contain_text("wartet")
    expect(viewer.locator(".hand", has_text="Ayşe Yılmaz")).to_be_visible()
    expect(ayse.locator("#hand-mine")).to_have_text("Sie sind auf Platz 1.")

    mara.get_by_role("button", name="Nächste Wortmeldung").click()
    expect(ayse.locator("#hand-mine")).to_have_text("Sie haben das Wort.")
    expect(viewer.locator(".hand--speaking")).to_contain_text("Ayşe Yılmaz")
    ayse.get_by_role("button", name="Wortbeitrag beenden").click()
    expect(viewer.locator(".hand", has_text="Ayşe Yılmaz")).to_have_count(0)
    expect(ayse.get_by_role("button", name="Hand heben")).to_be_visible()

    second = mara.locator(".goal-switch__button").nth(1)
    title = second.locator(".goal-switch__title").inner_text()
    second.click()
    expect(mara.locator("#goal-title")).to_have_text(title)
    mara.get_by_role("button", name="Alle auf dieses Ziel holen").click()
    for page in (ayse, viewer):
        expect(page.locator("#goal-title")).to_have_text(title)
        expect(page.locator("#goal-meta .focus-badge")).to_be_visible()
    mara.get_by_role("button", name="Fokus aufheben").click()
    for page in (ayse, viewer):
        expect(page.locator("#goal-meta .focus-badge")).to_have_count(0)


# --- accessibility, phones, languages ---------------------------------------------------------


def test_room_page_is_accessible_for_the_viewer_an_expert_and_the_moderator(
    user_page: Callable[..., Page], viewer_page: Page
) -> None:
    pages = [open_room(viewer_page), open_room(user_page("expert1"))]
    pages.append(open_room(user_page("moderator")))
    post(pages[1], "Ein Kommentar, damit die Liste nicht leer ist.")
    for page in pages:
        expect(comments(page, "damit die Liste nicht leer ist")).to_have_count(1)
        assert_accessible(page)
    # The moderator's dialog, open.
    mara = pages[2]
    mara.locator(".comment", has=comments(mara, "damit die Liste nicht leer ist")).get_by_role(
        "button", name=re.compile("^Ausblenden")
    ).click()
    expect(mara.get_by_role("dialog")).to_be_visible()
    assert_accessible(mara)
    mara.keyboard.press("Escape")
    expect(mara.get_by_role("dialog")).to_be_hidden()


def test_room_on_a_phone_is_one_column_and_an_expert_can_post(
    user_page: Callable[..., Page],
) -> None:
    page = open_room(user_page("expert2", **PHONE))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    main = page.locator(".room__main").bounding_box()
    aside = page.locator(".room__aside").bounding_box()
    assert main and aside
    assert aside["y"] >= main["y"] + main["height"]  # one column: the aside comes after
    assert abs(aside["x"] - main["x"]) < 1
    post(page, "Vom Telefon aus: Elternabende bitte auch am Wochenende.", paragraph=2)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)


@pytest.mark.browser_context_args(locale="en-GB")
def test_room_speaks_english_to_an_english_browser(viewer_page: Page) -> None:
    page = open_room(viewer_page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Requests to speak")).to_be_visible()
    # The live parts come from the JavaScript catalogue (/jsi18n/).
    expect(page.locator("#room-status")).to_have_text("Connected live")
    expect(page.locator("#presence-viewers")).to_contain_text(re.compile(r"reading along\.$"))
    expect(page.locator(".goal-switch__meta").first).to_contain_text(re.compile(r"comments?\b"))


def test_keyboard_alone_can_anchor_reply_and_send(
    user_page: Callable[..., Page], viewer_page: Page
) -> None:
    ayse = open_room(user_page("expert1"))
    viewer = open_room(viewer_page)
    question = "Gilt das auch für Horte?"
    post(ayse, question)

    reply_button = ayse.locator(".comment", has=comments(ayse, question)).get_by_role(
        "button", name=re.compile("^Antworten")
    )
    reply_button.focus()
    ayse.keyboard.press("Enter")
    box = ayse.get_by_label("Kommentar (Markdown)")
    expect(box).to_be_focused()
    expect(ayse.locator("#composer-reply")).to_contain_text("Antwort an Ayşe Yılmaz")
    ayse.keyboard.type("Ja, die Horte gehören dazu.")
    ayse.keyboard.press("Control+Enter")

    thread = viewer.locator("#comment-list > li", has=comments(viewer, question))
    expect(thread.locator(".comment__replies .comment__body")).to_have_text(
        "Ja, die Horte gehören dazu."
    )


# --- the picture for the README ---------------------------------------------------------------


@pytest.fixture
def second_goal_rooms(
    user_page: Callable[..., Page], viewer_page: Page
) -> Iterator[tuple[Page, Page, Page]]:
    """Ayşe, Jonas and the moderator (and a viewer) in the room, all on the second goal."""
    ayse, jonas, mara = (open_room(user_page(u)) for u in ("expert1", "expert2", "moderator"))
    open_room(viewer_page)
    for page in (ayse, jonas, mara):
        page.locator(".goal-switch__button").nth(1).click()
    yield ayse, jonas, mara
    for page, name in ((jonas, "Wortbeitrag beenden"), (ayse, "Hand senken")):
        button = page.get_by_role("button", name=name)
        if button.count():
            button.click()
    focus_off = mara.get_by_role("button", name="Fokus aufheben")
    if focus_off.count():
        focus_off.click()
        expect(ayse.locator("#goal-meta .focus-badge")).to_have_count(0)


def test_a_quote_and_a_reply_on_the_second_goal(
    second_goal_rooms: tuple[Page, Page, Page],
) -> None:
    ayse, jonas, mara = second_goal_rooms
    # Ayşe selects words in paragraph 2 and comments on them.
    words = "fünf häufigsten Familiensprachen"
    ayse.locator("#absatz-2 .room-para__text p").evaluate(
        """(p, words) => {
            const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
            let text = walker.nextNode();
            while (text && !text.data.includes(words)) text = walker.nextNode();
            const start = text.data.indexOf(words);
            const range = document.createRange();
            range.setStart(text, start);
            range.setEnd(text, start + words.length);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }""",
        words,
    )
    ayse.locator("#absatz-2 .room-para__marker").click()
    expect(ayse.locator("#composer-anchor")).to_contain_text(words)
    question = "Fünf Sprachen reichen nicht"
    post(
        ayse,
        f"{question}: In der Innenstadt kommen **Tigrinya** und Dari dazu.",
        shown=question,
    )
    for page in (jonas, mara):
        comment = page.locator(".comment", has=comments(page, question))
        expect(comment.locator(".comment__quote")).to_have_text(words)
        expect(page.locator("#absatz-2 .room-para__count")).to_have_text("1")

    jonas.locator(".comment", has=comments(jonas, question)).get_by_role(
        "button", name=re.compile("^Antworten")
    ).click()
    reply = "Einverstanden. Die Sprachen sollten sich nach den Anmeldezahlen richten."
    post(jonas, reply)
    thread = mara.locator("#comment-list > li", has=comments(mara, question))
    expect(thread.locator(".comment__replies .comment__body")).to_have_text(reply)

    # The picture for the README: a moderated live session as an expert sees it.
    post(mara, "Danke! Ich nehme beides für die nächste Fassung mit.", paragraph=1)
    mara.get_by_role("button", name="Alle auf dieses Ziel holen").click()
    jonas.get_by_role("button", name="Hand heben").click()
    expect(mara.locator(".hand", has_text="Jonas Becker")).to_be_visible()
    mara.get_by_role("button", name="Nächste Wortmeldung").click()
    ayse.get_by_role("button", name="Hand heben").click()
    expect(ayse.locator(".hand--speaking")).to_contain_text("Jonas Becker")
    expect(ayse.locator("#hand-mine")).to_have_text("Sie sind auf Platz 1.")
    expect(ayse.locator("#goal-meta .focus-badge")).to_be_visible()
    expect(ayse.locator("#presence-list")).to_contain_text("Mara Moderatorin")
    expect(ayse.locator("#presence-viewers")).to_contain_text(re.compile(r"^[1-9]"))
    if SCREENSHOTS is not None:
        ayse.locator("#composer-body").fill("Und wann finden die Informationsabende statt?")
        ayse.locator("#composer-body").blur()
        ayse.screenshot(path=str(SCREENSHOTS / "room.png"), full_page=True)
        ayse.locator("#composer-body").fill("")
