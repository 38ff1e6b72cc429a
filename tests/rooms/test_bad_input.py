"""Bad input never crashes the consumer: each kind gets an error frame, the connection stays
open and nothing changes. More than a burst of frames in the window is rate limited."""

from __future__ import annotations

import json
from typing import Any

import pytest

from deliberation.models import Comment
from tests.factories import Room
from tests.rooms.conftest import Join
from tests.rooms.support import FakeClock, Socket, adb, room_seq

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _still_fine(room: Room, socket: Socket, seq: int) -> None:
    pong = await socket.request({"type": "ping", "id": "alive"})
    assert pong == {"type": "pong", "id": "alive", "seq": seq}
    assert await adb(room_seq)(room.circle.pk) == seq
    assert await adb(Comment.objects.count)() == 0


def _post(room: Room, **override: Any) -> dict[str, Any]:
    frame = {
        "type": "comment.post",
        "id": "c",
        "goal": room.goal.pk,
        "body": "Hallo",
        "client_key": "k",
    }
    frame.update(override)
    return {k: v for k, v in frame.items() if v is not ...}


BAD_TEXT = [
    pytest.param("{not json", id="malformed-json"),
    pytest.param("", id="empty"),
    pytest.param("[1, 2, 3]", id="array"),
    pytest.param("42", id="number"),
    pytest.param('"comment.post"', id="string"),
    pytest.param("null", id="null"),
    pytest.param("[" * 60_000 + "]" * 60_000, id="deeply-nested"),
    pytest.param(json.dumps({"id": 1}), id="no-type"),
    pytest.param(json.dumps({"type": "comment.delete", "id": 1}), id="unknown-type"),
    pytest.param(json.dumps({"type": 5, "id": 1}), id="type-not-text"),
]


@pytest.mark.parametrize("text", BAD_TEXT)
async def test_unreadable_frames_get_invalid(room: Room, join: Join, text: str) -> None:
    expert = await join("expert")
    await expert.send_text(text)
    error = await expert.recv()
    assert error["type"] == "error"
    assert error["code"] == "invalid"
    assert error["message"]
    await _still_fine(room, expert, expert.welcome_seq)


async def test_frame_over_64_kib_is_refused(room: Room, join: Join) -> None:
    expert = await join("expert")
    await expert.send_text(json.dumps(_post(room, body="x" * (64 * 1024))))
    error = await expert.recv()
    assert (error["code"], error["id"]) == ("invalid", None)
    await _still_fine(room, expert, expert.welcome_seq)


async def test_multibyte_frame_over_64_kib_is_refused(room: Room, join: Join) -> None:
    expert = await join("expert")
    await expert.send_text(json.dumps(_post(room, body="ä" * 33_000), ensure_ascii=False))
    error = await expert.recv()
    assert error["code"] == "invalid"
    await _still_fine(room, expert, expert.welcome_seq)


async def test_binary_frame_is_refused(room: Room, join: Join) -> None:
    expert = await join("expert")
    await expert.communicator.send_to(bytes_data=json.dumps(_post(room)).encode())
    error = await expert.recv()
    assert error["code"] == "invalid"
    await _still_fine(room, expert, expert.welcome_seq)


WRONG_FIELDS = [
    pytest.param({"goal": "1"}, "goal", id="goal-as-text"),
    pytest.param({"goal": True}, "goal", id="goal-as-bool"),
    pytest.param({"goal": 1.5}, "goal", id="goal-as-float"),
    pytest.param({"goal": ...}, "goal", id="goal-missing"),
    pytest.param({"body": 5}, "body", id="body-as-number"),
    pytest.param({"body": ["a"]}, "body", id="body-as-list"),
    pytest.param({"client_key": ...}, "client_key", id="client-key-missing"),
    pytest.param({"client_key": 7}, "client_key", id="client-key-as-number"),
    pytest.param({"anchor": 2}, "anchor", id="anchor-as-number"),
    pytest.param({"anchor": {"paragraph": "2"}}, "anchor", id="anchor-paragraph-as-text"),
    pytest.param({"anchor": {"paragraph": 1, "quote": 3}}, "anchor", id="anchor-quote-number"),
    pytest.param({"reply_to": "5"}, "reply_to", id="reply-to-as-text"),
    pytest.param({"id": ...}, "id", id="id-missing"),
    pytest.param({"id": {"a": 1}}, "id", id="id-as-object"),
    pytest.param({"id": "x" * 65}, "id", id="id-too-long"),
]


@pytest.mark.parametrize(("override", "field"), WRONG_FIELDS)
async def test_wrong_field_types_get_invalid(
    room: Room, join: Join, override: dict[str, Any], field: str
) -> None:
    expert = await join("expert")
    await expert.send(_post(room, **override))
    error = await expert.recv()
    assert error["type"] == "error"
    assert error["code"] == "invalid"
    assert error["field"] == field
    await _still_fine(room, expert, expert.welcome_seq)


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "resume"},
        {"type": "resume", "after": -1},
        {"type": "resume", "after": "3"},
        {"type": "focus.set", "id": 1},
        {"type": "comment.hide", "id": 1, "comment": 1},
        {"type": "hand.lower", "id": 1, "user": "me"},
    ],
)
async def test_other_commands_check_their_fields(
    room: Room, join: Join, frame: dict[str, Any]
) -> None:
    moderator = await join("moderator")
    await moderator.send(frame)
    error = await moderator.recv()
    assert error["code"] == "invalid"
    await _still_fine(room, moderator, moderator.welcome_seq)


async def test_error_messages_are_in_the_site_language_by_default(room: Room, join: Join) -> None:
    # The anonymous persona has no language cookie: German, the site's default.
    viewer = await join("anonymous")
    await viewer.send(_post(room))
    error = await viewer.recv()
    assert error["message"] == "Zuschauende können im Raum lesen, aber nichts senden."


async def test_each_socket_hears_its_errors_in_its_own_language(room: Room) -> None:
    """Accept-Language or the language cookie decides per socket, for every frame of it: two
    sockets open side by side in one process do not take each other's language."""
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from tests.rooms.support import ORIGIN, room_path

    def opened(*headers: tuple[bytes, bytes]) -> Socket:
        path = room_path(room.circle.slug)
        return Socket(WebsocketCommunicator(application, path, headers=[ORIGIN, *headers]))

    english = opened((b"accept-language", b"en-GB,en;q=0.9"))
    german = opened((b"cookie", b"django_language=de"), (b"accept-language", b"en"))
    try:
        for socket in (english, german):
            connected, _code = await socket.communicator.connect(timeout=5)
            assert connected
            assert (await socket.recv())["type"] == "welcome"
        for _ in range(2):  # not only the first frame after the connect
            for socket, message in (
                (english, "Viewers can read in the room but send nothing."),
                (german, "Zuschauende können im Raum lesen, aber nichts senden."),
            ):
                error = await socket.request(_post(room))
                assert error["message"] == message
    finally:
        for socket in (english, german):
            await socket.communicator.disconnect()


async def test_viewer_frames_beyond_ping_and_resume_are_forbidden(room: Room, join: Join) -> None:
    viewer = await join("outsider")
    for frame in (_post(room), {"type": "hand.raise", "id": 2}, {"type": "focus.set", "id": 3}):
        error = await viewer.request(frame)
        assert (error["code"], error["id"]) == ("forbidden", frame["id"])
    resumed = await viewer.request({"type": "resume", "after": 0})
    assert resumed["type"] == "resumed"
    await _still_fine(room, viewer, viewer.welcome_seq)


# --- the rate limit -------------------------------------------------------------------------


async def test_more_than_the_burst_in_the_window_is_rate_limited(
    room: Room, join: Join, clock: FakeClock
) -> None:
    expert = await join("expert")
    for n in range(20):
        answer = await expert.request(
            {
                "type": "comment.post",
                "id": n,
                "goal": room.goal.pk,
                "body": f"Nr. {n}",
                "client_key": f"k{n}",
            }
        )
        assert answer["type"] == "ack", answer
    limited = await expert.request(
        {
            "type": "comment.post",
            "id": 20,
            "goal": room.goal.pk,
            "body": "zu viel",
            "client_key": "x",
        }
    )
    assert (limited["type"], limited["code"], limited["id"]) == ("error", "rate_limited", 20)
    assert (await expert.request({"type": "ping", "id": "p"}))["code"] == "rate_limited"
    assert await adb(Comment.objects.count)() == 20

    clock.advance(10)
    answer = await expert.request(
        {
            "type": "comment.post",
            "id": 21,
            "goal": room.goal.pk,
            "body": "wieder",
            "client_key": "y",
        }
    )
    assert answer["type"] == "ack"
    assert await adb(Comment.objects.count)() == 21


async def test_garbage_counts_toward_the_rate_limit_too(
    room: Room, join: Join, clock: FakeClock
) -> None:
    expert = await join("expert")
    for _ in range(20):
        await expert.send_text("{oops")
        assert (await expert.recv())["code"] == "invalid"
    await expert.send_text("{oops")
    assert (await expert.recv())["code"] == "rate_limited"
    clock.advance(10)
    await _still_fine(room, expert, expert.welcome_seq)


# --- text no database or person can use, invisible text, odd paths (issue 12) ---------------

UNUSABLE_TEXT = [
    pytest.param({"body": "ab\x00c"}, "body", id="nul-in-body"),
    pytest.param({"body": "ab\ud800c"}, "body", id="lone-surrogate-in-body"),
    pytest.param({"body": "\udfff"}, "body", id="lone-low-surrogate-in-body"),
    pytest.param({"body": "bell\x07"}, "body", id="control-character-in-body"),
    pytest.param({"client_key": "k\x00"}, "client_key", id="nul-in-client-key"),
    pytest.param({"anchor": {"paragraph": 1, "quote": "\x00"}}, "anchor", id="nul-in-quote"),
    pytest.param({"extra\x00": "x"}, "extra?", id="nul-in-a-field-name"),
]


@pytest.mark.parametrize(("override", "field"), UNUSABLE_TEXT)
async def test_unusable_characters_in_text_fields_get_invalid(
    room: Room, join: Join, override: dict[str, Any], field: str
) -> None:
    expert = await join("expert")
    await expert.send_text(json.dumps(_post(room, **override)))  # \u0000, \ud800 escapes
    error = await expert.recv()
    assert (error["type"], error["code"], error["id"], error["field"]) == (
        "error",
        "invalid",
        "c",
        field,
    )
    assert "U+" in error["message"]
    await _still_fine(room, expert, expert.welcome_seq)


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param(
            {"type": "comment.hide", "id": 1, "comment": 1, "reason": "\x00"}, id="hide-reason"
        ),
        pytest.param(
            {"type": "motion.open", "id": 1, "goals": [1], "method": "\ud800"}, id="motion-method"
        ),
        pytest.param(
            {"type": "ballot.cast", "id": 1, "motion": 1, "choice": "yes", "reason": "\ud800"},
            id="ballot-reason",
        ),
        pytest.param(
            {"type": "round.phase", "id": 1, "phase": "rating\x00"}, id="round-phase-text"
        ),
        pytest.param(
            {"type": "idea.propose", "id": 1, "title": "T", "text": "\x00"}, id="idea-text"
        ),
    ],
)
async def test_unusable_characters_are_refused_in_every_command(
    room: Room, join: Join, frame: dict[str, Any]
) -> None:
    moderator = await join("moderator")
    await moderator.send_text(json.dumps(frame))
    error = await moderator.recv()
    assert (error["code"], error["id"]) == ("invalid", 1)
    await _still_fine(room, moderator, moderator.welcome_seq)


async def test_a_frame_id_with_a_lone_surrogate_is_refused_not_echoed(
    room: Room, join: Join
) -> None:
    expert = await join("expert")
    await expert.send_text(json.dumps({"type": "ping", "id": "\ud800"}))
    error = await expert.recv()
    assert (error["code"], error["id"], error["field"]) == ("invalid", None, "id")
    await _still_fine(room, expert, expert.welcome_seq)


async def test_nesting_deeper_than_any_frame_needs_is_invalid(room: Room, join: Join) -> None:
    deep: Any = 1
    for _ in range(50):
        deep = {"a": deep}
    moderator = await join("moderator")
    await moderator.send(
        {"type": "ballot.cast", "id": "b", "motion": 1, "choice": "yes", "resistances": deep}
    )
    error = await moderator.recv()
    assert (error["code"], error["field"]) == ("invalid", "resistances")
    await _still_fine(room, moderator, moderator.welcome_seq)


@pytest.mark.parametrize(
    "body",
    ["\u200b", "\u200b\u200b \u2060", "\ufeff", "\u3164"],
    ids=["zwsp", "mix", "bom", "filler"],
)
async def test_a_comment_of_only_invisible_characters_is_refused(
    room: Room, join: Join, body: str
) -> None:
    expert = await join("expert")
    error = await expert.request(_post(room, body=body))
    assert (error["type"], error["code"], error["field"]) == ("error", "invalid", "body")
    await _still_fine(room, expert, expert.welcome_seq)


@pytest.mark.parametrize(
    "path",
    ["/ws/rooms/%00/", "/ws/rooms/not a slug/", "/ws/rooms/%ED%A0%80/", "/ws/rooms/", "/ws/nope/"],
)
async def test_a_socket_on_an_odd_path_is_closed_cleanly(
    open_socket: Any, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    socket = await open_socket(path)
    assert await socket.closed_with() == 4404
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
