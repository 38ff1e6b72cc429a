"""A room whose state has grown over the life of a circle (5,000 comments: every comment
stays in the snapshot, also after its goal left the discussion) can still be entered: the
welcome carries the first comments and ``snapshot.part`` frames the rest, each well below
the 1 MiB Daphne sends at most, and live events follow the last part."""

from __future__ import annotations

import pytest

from deliberation.models import Comment
from tests.factories import Room
from tests.faults.conftest import StartServers
from tests.faults.support import Follower, has_bodies, post_frame, record_comments

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_viewer_can_enter_a_room_with_5000_comments_and_follow_it_live(
    room: Room, start_servers: StartServers
) -> None:
    (server,) = start_servers(1)
    record_comments(room, 5_000)
    viewer = Follower("viewer", room.circle.slug, [server])
    viewer.connect()
    (welcome,) = viewer.welcomes
    assert welcome["parts"] >= 2  # the comments did not fit one frame
    stored = dict(Comment.objects.filter(circle=room.circle).values_list("pk", "body"))
    assert {i: c["body"] for i, c in viewer.comments.items()} == stored

    expert = Follower("expert", room.circle.slug, [server], user=room.expert)
    expert.connect()
    expert.command(post_frame(1, room.goal.pk, "danach"))
    viewer.until(has_bodies(["danach 1"]))
    viewer.assert_gapless()  # live events straight after the parts, none lost or twice
    viewer.close()
    expert.close()
