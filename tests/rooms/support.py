"""Helpers for the room tests: sockets through the real router, personas, a fake clock, the
reference reducer of ``docs/protocol.md`` and a way to lose a broadcast on purpose."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.db.models import F

from config.asgi import application
from deliberation.models import Circle, RoomEvent

# An Origin that ALLOWED_HOSTS accepts (AllowedHostsOriginValidator refuses the handshake
# without one).
ORIGIN = (b"origin", b"http://127.0.0.1:8000")
TIMEOUT = 5  # seconds to wait for a frame that must come

adb = database_sync_to_async


class FakeClock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Socket:
    """One WebSocket of a test, with the frames it has read so far."""

    communicator: WebsocketCommunicator
    welcome: dict[str, Any] | None = None
    seen: list[dict[str, Any]] = field(default_factory=list)

    @property
    def welcome_seq(self) -> int:
        assert self.welcome is not None
        return int(self.welcome["seq"])

    async def send(self, frame: dict[str, Any]) -> None:
        await self.communicator.send_json_to(frame)

    async def send_text(self, text: str) -> None:
        # send_input, not send_to: the latter refuses an empty text frame, which clients can send.
        await self.communicator.send_input({"type": "websocket.receive", "text": text})

    async def recv(self) -> dict[str, Any]:
        frame = await self.communicator.receive_json_from(timeout=TIMEOUT)
        self.seen.append(frame)
        return frame

    async def recv_event(self, kind: str | None = None) -> dict[str, Any]:
        frame = await self.recv()
        assert frame["type"] == "event", frame
        if kind is not None:
            assert frame["kind"] == kind, frame
        return frame

    async def request(self, frame: dict[str, Any]) -> dict[str, Any]:
        """Send a frame and return the first answer that is not an event."""
        await self.send(frame)
        while True:
            answer = await self.recv()
            if answer["type"] != "event":
                return answer

    async def closed_with(self) -> int:
        """The close code, after any frames that were already on their way."""
        while True:
            output = await self.communicator.receive_output(timeout=TIMEOUT)
            if output["type"] == "websocket.close":
                return int(output.get("code", 1000))
            assert output["type"] == "websocket.send", output

    async def hears_nothing(self) -> bool:
        return bool(await self.communicator.receive_nothing(timeout=0.15))


def communicator(path: str, *, cookie: str | None = None, origin: bool = True) -> Any:
    headers = [ORIGIN] if origin else []
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, path, headers=headers)


def room_path(slug: str, **query: Any) -> str:
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/ws/rooms/{slug}/" + (f"?{suffix}" if suffix else "")


def record_unpublished_event(circle_id: int, kind: str, payload: dict[str, Any]) -> int:
    """Append an event to the log the way ``record_event`` does, without its broadcast: the
    state a process leaves when it commits and dies (or Redis drops the message)."""
    with transaction.atomic():
        Circle.objects.select_for_update().get(pk=circle_id)
        Circle.objects.filter(pk=circle_id).update(event_seq=F("event_seq") + 1)
        seq = Circle.objects.values_list("event_seq", flat=True).get(pk=circle_id)
        RoomEvent.objects.create(circle_id=circle_id, seq=seq, kind=kind, payload=payload)
    return seq


def room_seq(circle_id: int) -> int:
    return Circle.objects.values_list("event_seq", flat=True).get(pk=circle_id)


# --- the reference reducer (docs/protocol.md, "Event kinds") ----------------------------------


def apply_event(state: dict[str, Any], kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Apply one event to a snapshot, exactly as the protocol tells clients to."""
    state = json.loads(json.dumps(state))
    if kind == "comment.created":
        if all(c["id"] != data["comment"]["id"] for c in state["comments"]):
            state["comments"].append(data["comment"])
    elif kind in ("comment.edited", "comment.hidden", "comment.unhidden"):
        state["comments"] = [
            data["comment"] if c["id"] == data["comment"]["id"] else c for c in state["comments"]
        ]
    elif kind in ("hand.raised", "hand.lowered", "hand.next"):
        state["hands"] = data["queue"]
    elif kind == "focus.changed":
        state["focus"] = data["goal"]
    elif kind == "presence.changed":
        state["presence"] = data
    elif kind == "room.updated":
        state["room"] = data["room"]
    elif kind in ("goal.created", "goal.status_changed", "goal.version_published", "goal.updated"):
        goal = data["goal"]
        others = [g for g in state["goals"] if g["id"] != goal["id"]]
        present = len(others) != len(state["goals"])
        # A new version replaces a goal under discussion; a status decides membership.
        if kind in ("goal.version_published", "goal.updated"):
            keep = present
        else:
            keep = goal["status"] == "in_discussion"
        state["goals"] = sorted(
            [*others, goal] if keep else others, key=lambda g: (g["order"], g["id"])
        )
        # The field's goals a round may take up: the status alone decides, for every kind.
        rest = [g for g in state["field_goals"] if g["id"] != goal["id"]]
        eligible = goal["status"] in ("draft", "revised", "in_discussion")
        state["field_goals"] = sorted(
            [*rest, goal] if eligible else rest, key=lambda g: (g["order"], g["id"])
        )
    elif kind == "anchors.placed":
        placed = {p["comment"]: p for p in data["placements"] if p["comment"] is not None}
        for comment in state["comments"]:
            if comment["id"] in placed:
                found = placed[comment["id"]]
                comment["placement"] = {
                    k: v for k, v in found.items() if k not in ("comment", "proposal")
                }
    elif kind == "goal.plain_text_set":
        for key in ("goals", "field_goals"):
            for goal in state[key]:
                if goal["id"] == data["goal"] and goal["version"] is not None:
                    goal["version"]["plain"] = data["plain"]
    elif kind == "disposition.set":
        disposition = data["disposition"]
        if disposition["feedback"]["type"] == "comment":
            others = [d for d in state["comment_dispositions"] if d["id"] != disposition["id"]]
            state["comment_dispositions"] = sorted([*others, disposition], key=lambda d: d["id"])
    elif kind in ("pulse.asked", "pulse.answered", "pulse.closed"):
        state["pulse"] = data["pulse"]
    elif kind in ("rollcall.opened", "rollcall.closed"):
        state["roll_call"] = data["roll_call"]
    elif kind == "rollcall.marked":
        roll_call = state.get("roll_call")
        if roll_call is not None and roll_call["id"] == data["roll_call"]:
            entry = data["entry"]
            others = [e for e in roll_call["entries"] if e["user"]["id"] != entry["user"]["id"]]
            roll_call["entries"] = sorted(
                [*others, entry], key=lambda e: (e["user"]["name"].casefold(), e["user"]["id"])
            )
            roll_call["present"], roll_call["members"] = data["present"], data["members"]
    elif kind.startswith("proposal."):
        # Change proposals: the proposal replaces its old self; ``conflicts`` (when sent)
        # replaces the conflicts of the proposals it names.
        proposal = data["proposal"]
        others = [p for p in state["proposals"] if p["id"] != proposal["id"]]
        state["proposals"] = sorted([*others, proposal], key=lambda p: p["id"])
        conflicts = {c["id"]: c["conflicts_with"] for c in data.get("conflicts", [])}
        for item in state["proposals"]:
            if item["id"] in conflicts:
                item["conflicts_with"] = conflicts[item["id"]]
    state["comments"].sort(key=lambda c: c["id"])
    return state
