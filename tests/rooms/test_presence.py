"""Presence from heartbeats: members by name once however many tabs, viewers counted, silent
sockets closed after the timeout, dead processes leave no ghost. Time moves by a fake clock
and explicit "now" values, never by sleeping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rooms.hub import HubRegistry
from rooms.models import PresenceReport
from tests.factories import Room
from tests.rooms.conftest import Join
from tests.rooms.support import FakeClock, Socket, adb

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _report_at_once(settings: Any) -> None:
    settings.ROOM_PRESENCE_DEBOUNCE_MS = 0


def _members(event: dict[str, Any]) -> list[tuple[str, str]]:
    return [(m["name"], m["role"]) for m in event["data"]["members"]]


async def _presence(socket: Socket) -> dict[str, Any]:
    return await socket.recv_event("presence.changed")


async def _presence_until(socket: Socket, *, members: int, viewers: int = 0) -> dict[str, Any]:
    """Read presence events until one shows that many members and viewers (joins in quick
    succession may be reported in one event or in several)."""
    while True:
        event = await _presence(socket)
        if len(event["data"]["members"]) == members and event["data"]["viewers"] == viewers:
            return event


async def test_members_count_once_across_tabs_and_viewers_are_counted(
    room: Room, join: Join, registry: HubRegistry, clock: FakeClock
) -> None:
    moderator = await join("moderator")
    first = await _presence(moderator)
    assert _members(first) == [(room.moderator.first_name, "moderator")]
    assert first["data"]["viewers"] == 0

    await join("expert")
    await join("expert")  # a second tab of the same person
    await join("outsider")
    await join("outsider")  # signed-in viewer, two tabs: one viewer
    await join("anonymous")  # anonymous viewers count per connection
    latest = await _presence_until(moderator, members=2, viewers=2)
    assert sorted(_members(latest)) == sorted(
        [(room.moderator.first_name, "moderator"), (room.expert.first_name, "expert")]
    )
    assert latest["data"]["viewers"] == 2


async def test_a_silent_tab_is_closed_after_the_timeout_but_the_person_stays_present(
    room: Room, join: Join, registry: HubRegistry, clock: FakeClock
) -> None:
    watcher = await join("moderator")
    await _presence(watcher)
    silent = await join("expert")
    pinging = await join("expert")
    await _presence_until(watcher, members=2)

    clock.advance(40)
    assert (await pinging.request({"type": "ping"}))["type"] == "pong"
    assert (await watcher.request({"type": "ping"}))["type"] == "pong"
    clock.advance(25)  # silent for 65 s, the others for 25 s
    await registry.tick()

    assert await silent.closed_with() == 4408
    assert await watcher.hears_nothing()  # the expert is still present through the other tab

    clock.advance(61)
    await registry.tick()
    assert await pinging.closed_with() == 4408
    assert await watcher.closed_with() == 4408


async def test_the_last_tab_timing_out_removes_the_member(
    room: Room, join: Join, registry: HubRegistry, clock: FakeClock
) -> None:
    watcher = await join("moderator")
    await _presence(watcher)
    expert = await join("expert")
    await _presence_until(watcher, members=2)

    clock.advance(45)
    await watcher.request({"type": "ping"})
    clock.advance(20)
    await registry.tick()
    assert await expert.closed_with() == 4408
    gone = await _presence(watcher)
    assert _members(gone) == [(room.moderator.first_name, "moderator")]


async def test_a_dead_process_leaves_no_ghost_after_the_timeout(
    room: Room, join: Join, registry: HubRegistry
) -> None:
    # Another server process reported the drafter a moment ago, then was killed.
    await adb(PresenceReport.objects.create)(
        circle=room.circle,
        process="other-host:4242:dead",
        members=[{"id": room.drafter.pk, "name": room.drafter.first_name, "role": "drafter"}],
        viewer_ids=[],
        anonymous=3,
        updated_at=timezone.now(),
    )
    watcher = await join("moderator")
    first = await _presence(watcher)
    assert sorted(_members(first)) == sorted(
        [(room.drafter.first_name, "drafter"), (room.moderator.first_name, "moderator")]
    )
    assert first["data"]["viewers"] == 3

    hub = registry.hub(room.circle.pk)
    assert hub is not None
    # The next refresh of this process, 61 s later: the dead process's report has expired.
    await hub.report_presence(force=True, now=timezone.now() + timedelta(seconds=61))
    after = await _presence(watcher)
    assert _members(after) == [(room.moderator.first_name, "moderator")]
    assert after["data"]["viewers"] == 0
    assert not await adb(PresenceReport.objects.filter(process="other-host:4242:dead").exists)()


async def test_the_same_person_on_two_processes_counts_once(
    room: Room, join: Join, registry: HubRegistry
) -> None:
    await adb(PresenceReport.objects.create)(
        circle=room.circle,
        process="other-host:1:live",
        members=[{"id": room.moderator.pk, "name": room.moderator.first_name, "role": "moderator"}],
        viewer_ids=[room.outsider.pk],
        anonymous=0,
        updated_at=timezone.now(),
    )
    watcher = await join("moderator")
    await join("outsider")
    latest = await _presence(watcher)
    assert _members(latest) == [(room.moderator.first_name, "moderator")]
    assert latest["data"]["viewers"] == 1


async def test_leaving_withdraws_the_process_report(room: Room, join: Join) -> None:
    watcher = await join("moderator")
    await _presence(watcher)
    expert = await join("expert")
    await _presence_until(watcher, members=2)
    await expert.communicator.disconnect()
    gone = await _presence(watcher)
    assert _members(gone) == [(room.moderator.first_name, "moderator")]
