"""The concept document's live channel: after a vote adopts a goal, open concept pages hear
"the document changed" and fetch it again (``/ws/concept/``, ``docs/protocol.md``).

Nothing but a notice travels: the page reads the document the way it always does, so what a
reader sees is exactly what the page renders for them. Published after commit only.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

CONCEPT_GROUP = "concept"


def _publish(concept_id: int) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            CONCEPT_GROUP, {"type": "concept.changed", "concept": concept_id}
        )
    except Exception:
        # The document is committed; a reader who missed the notice sees it on the next load.
        logger.exception("announcing a change of concept %s failed", concept_id)


def announce_concept_change(concept_id: int) -> None:
    """Tell open concept pages after commit. Precondition: inside ``transaction.atomic()``."""
    transaction.on_commit(lambda: _publish(concept_id))
