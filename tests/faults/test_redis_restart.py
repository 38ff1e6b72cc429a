"""Redis restarts during a session: clients recover, and the event log has every comment.

The test runs a Redis of its own (``redis-server`` on a free port, no persistence) for its two
Daphne processes; the machine's shared Redis is never touched.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from deliberation.models import Comment, RoomEvent
from tests.conftest import IN_CI
from tests.factories import Room
from tests.faults.conftest import StartServers
from tests.faults.support import Follower, RedisServer, has_bodies, post_frame

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        message = "needs the redis-server program (Debian: apt-get install redis-server)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    server = RedisServer.on_free_port(tmp_path)
    server.start()
    yield server
    server.stop()


def test_clients_recover_from_a_redis_restart_and_the_log_keeps_every_comment(
    room: Room, start_servers: StartServers, own_redis: RedisServer
) -> None:
    a, b = start_servers(2, REDIS_URL=own_redis.url)
    slug, goal = room.circle.slug, room.goal.pk
    poster = Follower("poster@a", slug, [a], user=room.expert)
    viewer_a = Follower("viewer@a", slug, [a])
    viewer_b = Follower("viewer@b", slug, [b])
    everyone = [poster, viewer_a, viewer_b]
    for follower in everyone:
        follower.connect()

    def post(prefix: str) -> list[str]:
        for n in range(5):
            poster.command(post_frame(n, goal, prefix))
        poster.until(lambda f: not f.pending)
        return [f"{prefix} {n}" for n in range(5)]

    expected = post("vorher")
    for follower in everyone:
        follower.until(has_bodies(expected))

    # Redis goes away: the broadcasts are lost; process B's viewer gets the comments from
    # the log (the hubs' poll), process A's sockets from their own hub.
    own_redis.stop()
    expected += post("ohne-redis")
    for follower in everyone:
        follower.until(has_bodies(expected))

    # Redis is back (empty): the layer reconnects and live delivery resumes.
    own_redis.start()
    expected += post("nachher")
    for follower in everyone:
        follower.until(has_bodies(expected))
    newcomer = Follower("newcomer@b", slug, [b])
    newcomer.connect()
    snapshot = newcomer.welcomes[0]["snapshot"]
    assert sorted(c["body"] for c in snapshot["comments"]) == sorted(expected)

    assert poster.errors == []
    stored = Comment.objects.filter(circle=room.circle).values_list("body", flat=True)
    assert sorted(stored) == sorted(expected)
    logged = RoomEvent.objects.filter(circle=room.circle, kind="comment.created")
    assert sorted(e.payload["comment"]["body"] for e in logged) == sorted(expected)
    for follower in everyone:
        follower.assert_gapless()
        assert sorted(follower.comment_bodies()) == sorted(expected)
        assert follower.reconnects == 0  # the sockets never dropped
        follower.close()
    newcomer.close()
