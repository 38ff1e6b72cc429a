"""The Redis channel layer: installations on one Redis stay apart by database number."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import pytest
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings

from config.env import redis_channel_prefix

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="runs with REDIS_URL set (the PostgreSQL + Redis pass)"
)


def layer_on(database: int) -> RedisPubSubChannelLayer:
    """A channel layer configured as settings.py would for REDIS_URL with this database."""
    url = urlsplit(settings.REDIS_URL)._replace(path=f"/{database}").geturl()
    return RedisPubSubChannelLayer(hosts=[url], prefix=redis_channel_prefix(url))


async def test_a_group_message_does_not_cross_to_another_redis_database() -> None:
    ours, theirs = layer_on(14), layer_on(15)
    our_channel = await ours.new_channel()
    their_channel = await theirs.new_channel()
    await ours.group_add("room.1", our_channel)
    await theirs.group_add("room.1", their_channel)
    try:
        # Redis pub/sub itself ignores database numbers: without the prefixes, ours would
        # receive theirs first.
        await theirs.group_send("room.1", {"type": "room.event", "sender": "theirs"})
        await ours.group_send("room.1", {"type": "room.event", "sender": "ours"})
        received = await asyncio.wait_for(ours.receive(our_channel), timeout=5)
        assert received == {"type": "room.event", "sender": "ours"}
        received = await asyncio.wait_for(theirs.receive(their_channel), timeout=5)
        assert received == {"type": "room.event", "sender": "theirs"}
    finally:
        await ours.flush()
        await theirs.flush()
