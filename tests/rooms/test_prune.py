"""``manage.py prune_room_events`` keeps the newest events of each room."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from deliberation.eventlog import record_event
from deliberation.models import RoomEvent
from tests.factories import Room, make_room

pytestmark = [pytest.mark.django_db]


def _events(room: Room, count: int) -> None:
    with transaction.atomic():
        for n in range(count):
            record_event(circle=room.circle.pk, kind="test.noise", payload={"n": n})


def _seqs(room: Room) -> list[int]:
    return list(RoomEvent.objects.filter(circle=room.circle).values_list("seq", flat=True))


def test_prune_keeps_the_newest_events_of_every_room(room: Room) -> None:
    other = make_room()
    _events(room, 10)
    _events(other, 3)
    room.circle.refresh_from_db()
    last = room.circle.event_seq
    out = StringIO()
    call_command("prune_room_events", "--keep", "4", stdout=out)
    assert _seqs(room) == list(range(last - 3, last + 1))
    assert len(_seqs(other)) == 4  # it has 5: two from its goal, three of noise
    assert "Deleted" in out.getvalue()


def test_dry_run_deletes_nothing(room: Room) -> None:
    _events(room, 10)
    before = _seqs(room)
    out = StringIO()
    call_command("prune_room_events", "--keep", "2", "--dry-run", stdout=out)
    assert _seqs(room) == before
    assert f"Would delete {len(before) - 2} events" in out.getvalue()


def test_prune_one_room_only(room: Room) -> None:
    other = make_room()
    _events(room, 5)
    _events(other, 5)
    untouched = list(RoomEvent.objects.filter(circle=other.circle).values_list("seq", flat=True))
    call_command("prune_room_events", "--keep", "1", "--room", room.circle.slug, stdout=StringIO())
    assert len(_seqs(room)) == 1
    assert list(RoomEvent.objects.filter(circle=other.circle).values_list("seq", flat=True)) == (
        untouched
    )


def test_default_keep_comes_from_the_setting(room: Room, settings: Any) -> None:
    settings.ROOM_EVENT_LOG_KEEP = 3
    _events(room, 8)
    call_command("prune_room_events", stdout=StringIO())
    assert len(_seqs(room)) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--keep", "0"], "at least 1"), (["--room", "nope"], "No room")],
)
def test_bad_arguments_fail_clearly(room: Room, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("prune_room_events", *args, stdout=StringIO())
