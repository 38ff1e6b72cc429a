"""Fifty voters cast at the same moment, each from its own thread and database connection,
through the service and through the REST API: exactly fifty ballots, the right tally, a
gapless turnout sequence. PostgreSQL only: SQLite serialises every writer by design, so
there is nothing to race there.

(Casting over the room's WebSocket goes through the same ``voting.services.ballot_cast``;
its concurrent test belongs with the room consumer.)
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from deliberation.models import RoomEvent
from kernel.errors import Conflict
from tests.factories import make_room
from tests.voting.conftest import add_experts, open_motion
from voting import services
from voting.models import Ballot

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL (DATABASE_URL=postgres://…): row locks under real concurrency",
    ),
]

N = 50
CHOICES = ["consent"] * 30 + ["consent_with_concerns"] * 10 + ["abstain"] * 6 + ["veto"] * 4


def run_together(jobs: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Start every job in its own thread at the same instant; each closes its connection."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=60)
            value = job()
            with lock:
                results.append(value)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a caster hung"
    return results, errors


def assert_counted(room: Any, motion: Any) -> None:
    assert Ballot.objects.filter(motion=motion).count() == N
    turnout = RoomEvent.objects.filter(circle=room.circle, kind="motion.turnout").order_by("seq")
    assert [e.payload["turnout"] for e in turnout] == list(range(1, N + 1))
    result = services.motion_close(actor=room.moderator, motion_id=motion.pk)
    assert result.participant_count == N
    assert result.counts == dict(Counter(CHOICES))
    assert result.outcome == "rejected"  # four vetoes block


def test_fifty_concurrent_service_casts_count_exactly_once_each() -> None:
    room = make_room()
    experts = [room.expert, room.expert2, *add_experts(room.circle, N - 2)]
    motion = open_motion(room, secret=True)

    def cast(user: Any, choice: str) -> bool:
        _ballot, created = services.ballot_cast(
            actor=user, motion_id=motion.pk, choice=choice, reason="r" if choice == "veto" else ""
        )
        return created

    results, errors = run_together(
        [lambda u=u, c=c: cast(u, c) for u, c in zip(experts, CHOICES, strict=True)]
    )
    assert errors == []
    assert results == [True] * N
    assert_counted(room, motion)


def test_fifty_concurrent_api_clients_count_exactly_once_each() -> None:
    room = make_room()
    experts = [room.expert, room.expert2, *add_experts(room.circle, N - 2)]
    motion = open_motion(room)
    clients = []
    for user in experts:
        client = Client()
        client.force_login(user)
        clients.append(client)
    url = reverse("api-my-ballot", args=[motion.pk])

    def put(client: Client, choice: str) -> int:
        body = {"choice": choice, "reason": "r" if choice == "veto" else ""}
        return client.put(url, body, content_type="application/json").status_code

    statuses, errors = run_together(
        [lambda c=c, ch=ch: put(c, ch) for c, ch in zip(clients, CHOICES, strict=True)]
    )
    assert errors == []
    assert statuses == [201] * N
    assert_counted(room, motion)


def test_the_same_voter_casting_twice_at_once_gets_one_ballot() -> None:
    room = make_room()
    voters = [room.expert, room.expert2, *add_experts(room.circle, N // 2 - 2)]
    motion = open_motion(room, changeable=False)

    def cast(user: Any) -> str:
        try:
            services.ballot_cast(actor=user, motion_id=motion.pk, choice="consent")
        except Conflict:
            return "conflict"
        return "cast"

    results, errors = run_together([lambda u=u: cast(u) for u in voters for _twice in (1, 2)])
    assert errors == []
    assert Counter(results) == {"cast": len(voters), "conflict": len(voters)}
    assert Ballot.objects.filter(motion=motion).count() == len(voters)
