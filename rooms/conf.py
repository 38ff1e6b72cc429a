"""The rooms' settings, read when used (so tests can change them with the settings fixture).

All of them come from the environment through ``config.settings``; see ``docs/protocol.md``
for what clients see of them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

# Frames above this size get an ``invalid`` error (Daphne itself closes at 1 MiB).
MAX_FRAME_BYTES = 64 * 1024
# The ticket lifetime is capped here whatever the setting says: the issue promises ≤ 60 s.
MAX_TICKET_TTL = 60
# Rows replayed per database round trip on resume.
REPLAY_CHUNK = 200
# A command's ack waits this long for its event to arrive over the channel layer before the
# hub fetches it from the log itself.
ACK_EVENT_WAIT = 0.5


def ticket_ttl() -> int:
    return min(int(settings.ROOM_TICKET_TTL), MAX_TICKET_TTL)


def presence_timeout() -> float:
    """Seconds of silence after which a connection is closed and no longer present; also the
    age after which a server process's presence report counts as dead."""
    return float(settings.ROOM_PRESENCE_TIMEOUT)


def heartbeat_interval() -> int:
    """How often clients ping: a third of the timeout (20 s for 60 s), so two lost pings are
    survivable."""
    return max(1, int(settings.ROOM_PRESENCE_TIMEOUT) // 3)


def presence_refresh() -> float:
    """How often a process rewrites its presence reports, well inside the timeout."""
    return presence_timeout() / 3


def presence_debounce() -> float:
    return settings.ROOM_PRESENCE_DEBOUNCE_MS / 1000


def poll_interval() -> float:
    return float(settings.ROOM_POLL_INTERVAL)


def send_backlog() -> int:
    return int(settings.ROOM_SEND_BACKLOG)


def direct_writes() -> bool:
    """Frames written once as bytes to uvicorn's sockets (``rooms.wire``)."""
    return bool(getattr(settings, "ROOM_DIRECT_WRITES", True))


def rate_burst() -> int:
    return int(settings.ROOM_RATE_BURST)


def rate_window() -> float:
    return float(settings.ROOM_RATE_WINDOW)


def event_log_keep() -> int:
    return int(settings.ROOM_EVENT_LOG_KEEP)


def resume_max_events() -> int:
    """A resume that would replay more events than this is answered with ``resync``."""
    return int(settings.ROOM_RESUME_MAX_EVENTS)


def resume_burst() -> int:
    return int(settings.ROOM_RESUME_BURST)


def resume_window() -> float:
    return float(settings.ROOM_RESUME_WINDOW)


def max_connections_per_address() -> int:
    """Counted per server process (each process holds its own sockets)."""
    return int(settings.ROOM_MAX_CONNECTIONS_PER_ADDRESS)


def num_proxies() -> int:
    proxies: Any = settings.REST_FRAMEWORK.get("NUM_PROXIES")
    return int(proxies or 0)
