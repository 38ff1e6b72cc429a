"""``/ws/concept/``: a read-only socket that tells concept pages when the document changed.

Anyone may listen (the concept document is public); whatever a client sends is ignored. The
frame is ``{"type": "concept.changed", "concept": <id>}``; the page re-fetches itself.
"""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from voting.live import CONCEPT_GROUP


class ConceptConsumer(AsyncJsonWebsocketConsumer):
    groups = [CONCEPT_GROUP]

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Listeners only listen."""

    async def concept_changed(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "concept.changed", "concept": message["concept"]})
