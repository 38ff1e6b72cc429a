"""Konsens' own Prometheus metrics, in one place (HTTP and database metrics come from
django-prometheus). The doors and the event log increment them with one line each; the
registry is prometheus_client's default one, which ``config.metrics`` serves at ``/metrics``.

Every server process counts for itself (no multiprocess mode): compose runs one uvicorn process
per replica container, and Prometheus scrapes each replica and sums (``docs/operations.md``,
"Metrics"). Labels take only values from fixed sets (frame types the protocol knows, event
kinds our services record, outcomes below), never user input, so the series stay few.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

ROOM_SOCKETS = Gauge(
    "konsens_room_sockets",
    "Room WebSockets open in this process (joined to a room's hub).",
)
FRAMES_SENT = Counter(
    "konsens_room_frames_sent",
    "Frames queued for room sockets: events, welcomes, acks, errors, pongs.",
)
ROOM_COMMANDS = Counter(
    "konsens_room_commands",
    "Room commands received over a socket, by frame type and outcome.",
    ["command", "outcome"],
)
ROOM_EVENTS = Counter(
    "konsens_room_events",
    "Room events committed to the log, by kind.",
    ["kind"],
)
BALLOTS_CAST = Counter("konsens_ballots_cast", "New ballots committed (a changed ballot is none).")
MOTIONS = Counter("konsens_motions", "Motions opened and closed.", ["action"])

# Outcomes of a room command (``ROOM_COMMANDS``).
OK = "ok"  # the service ran and committed
REFUSED = "refused"  # a domain error: the user got an error frame, nothing changed
FAILED = "failed"  # an unexpected exception (logged), the user got "unavailable"
ACCESS_CHANGED = "access_changed"  # the socket's role changed; it was closed (4410)

# Event kinds that stand for a vote's steps.
_MOTION_KINDS = {"motion.opened": "opened", "motion.closed": "closed"}


def event_committed(kind: str) -> None:
    """A room event of ``kind`` was committed (called once per event, after commit)."""
    ROOM_EVENTS.labels(kind=kind).inc()
    if kind == "motion.turnout":  # recorded exactly once per new ballot (voting.services)
        BALLOTS_CAST.inc()
    elif kind in _MOTION_KINDS:
        MOTIONS.labels(action=_MOTION_KINDS[kind]).inc()


def command_done(command: str, outcome: str) -> None:
    ROOM_COMMANDS.labels(command=command, outcome=outcome).inc()
