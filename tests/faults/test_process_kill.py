"""kill -9 one of two server processes during a session (Daphne, and uvicorn as compose runs
it): its clients reconnect to the other and resume; nothing is lost and nothing arrives
twice."""

from __future__ import annotations

import signal

import pytest

from deliberation.models import Comment, RoomEvent
from tests.factories import Room
from tests.faults.conftest import StartServers
from tests.faults.support import Follower, has_bodies, post_frame

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("kind", ["daphne", "uvicorn"])
def test_clients_of_a_killed_process_resume_on_the_other_without_loss_or_duplicates(
    room: Room, start_servers: StartServers, kind: str
) -> None:
    a, b = start_servers(2, kind=kind)
    slug, goal = room.circle.slug, room.goal.pk
    # The poster and a viewer on A (A first, then B, as a load balancer would retry), a
    # viewer and an expert on B.
    poster = Follower("poster@a", slug, [a, b], user=room.expert)
    viewer_a = Follower("viewer@a", slug, [a, b])
    viewer_b = Follower("viewer@b", slug, [b, a])
    expert_b = Follower("expert@b", slug, [b, a], user=room.expert2)
    everyone = [poster, viewer_a, viewer_b, expert_b]
    for follower in everyone:
        follower.connect()

    for n in range(10):
        poster.command(post_frame(n, goal, "vorher"))
    poster.until(lambda f: not f.pending)
    # Five more in flight, and process A dies under them.
    for n in range(10, 15):
        poster.command(post_frame(n, goal, "vorher"))
    a.process.send_signal(signal.SIGKILL)
    a.process.wait(timeout=10)

    # A's clients notice, reconnect to B with ?after= and the poster re-sends what A never
    # acknowledged (same client_key: stored at most once).
    poster.until(lambda f: not f.pending)
    for n in range(5):
        poster.command(post_frame(n, goal, "nachher"))
    poster.until(lambda f: not f.pending)

    expected = [f"vorher {n}" for n in range(15)] + [f"nachher {n}" for n in range(5)]
    for follower in everyone:
        follower.until(has_bodies(expected))

    assert poster.errors == []
    assert poster.reconnects >= 1 and viewer_a.reconnects >= 1
    assert viewer_b.reconnects == expert_b.reconnects == 0
    stored = list(
        Comment.objects.filter(circle=room.circle).order_by("pk").values_list("body", flat=True)
    )
    assert sorted(stored) == sorted(expected)  # each once
    log = dict(RoomEvent.objects.filter(circle=room.circle).values_list("seq", "kind"))
    for follower in everyone:
        follower.assert_gapless()
        assert sorted(follower.comment_bodies()) == sorted(expected)
        # Event by event what the log holds.
        assert {e["seq"]: e["kind"] for e in follower.events} == {
            seq: kind for seq, kind in log.items() if follower.first_seq < seq <= follower.seq
        }
        follower.close()
