"""The Konsens side of the benchmarks: a dedicated PostgreSQL database (created, migrated,
seeded), the environment its Daphne processes run with, and the few reads the scenarios check
afterwards. Django is set up in the calling process, against the bench database only.

Seed: the demo concept (``load_demo``: five action fields, ten circles, goals, so the pages
and the API have realistic content) plus one public circle ``bench`` with a goal in discussion
and experts who post by script (API token, single-use room tickets).
"""

from __future__ import annotations

import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.common import PYTHON, ROOT
from deploy.image import image_command

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/konsens_perf"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
BENCH_SLUG = "bench"
EXPERT = "bench-expert"


@dataclass(frozen=True)
class Seed:
    slug: str
    circle_id: int
    goal_id: int
    tokens: list[str]  # API tokens of the bench experts, ``tokens[0]`` posts in fanout
    user_ids: list[int]


def server_env(
    database_url: str, redis_url: str, var_dir: Path, *, pool: bool = False, **extra: str
) -> dict[str, str]:
    """The environment of a Konsens server process as production runs it (DEBUG off), with
    the room's per-socket command burst raised: the benchmark's single expert posts faster
    than a person may (the limit guards against abuse; it is not what is measured)."""
    if pool:  # psycopg's connection pool instead of a connection per request
        database_url += ("&" if "?" in database_url else "?") + "pool=20"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "KONSENS_VAR_DIR": str(var_dir),
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "ROOM_RATE_BURST": "100000",
        # Every viewer of the benchmarks comes from 127.0.0.1; the per-address cap (50 by
        # default) guards a real server against one client opening thousands of sockets.
        "ROOM_MAX_CONNECTIONS_PER_ADDRESS": "100000",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def create_database(database_url: str) -> None:
    """Create the bench database if it does not exist (PostgreSQL only)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"the benchmarks need PostgreSQL; DATABASE_URL is {parts.scheme}://…")
    name = parts.path.strip("/")
    server = urlunsplit(parts._replace(path="/postgres", query=""))
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare(database_url: str, redis_url: str, var_dir: Path, *, experts: int = 1) -> Seed:
    """Create, migrate and seed the bench database; collect static files for DEBUG=0; set up
    Django in this process against it. Idempotent."""
    create_database(database_url)
    env = server_env(database_url, redis_url, var_dir)
    for command in (
        ["migrate", "--no-input", "-v", "0"],
        ["collectstatic", "--no-input", "-v", "0"],
    ):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
    setup_django(env)
    return seed(experts=experts)


def setup_django(env: dict[str, str]) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    for key in ("DATABASE_URL", "REDIS_URL", "KONSENS_VAR_DIR"):
        os.environ[key] = env[key]
    os.environ.setdefault("DEBUG", "1")  # this process only reads and seeds
    import django

    django.setup()


def seed(*, experts: int = 1) -> Seed:
    from django.contrib.auth import get_user_model

    from api.tokens import token_create
    from deliberation import services
    from deliberation.demo import load_demo
    from deliberation.models import ActionField, Circle, Concept, Goal, Membership

    load_demo()
    concept = Concept.objects.order_by("pk").first()
    assert concept is not None
    field, _ = ActionField.objects.get_or_create(
        slug=BENCH_SLUG, defaults={"concept": concept, "title": "Benchmark", "order": 99}
    )
    circle, _ = Circle.objects.get_or_create(
        slug=BENCH_SLUG,
        defaults={
            "action_field": field,
            "kind": Circle.Kind.EXPERT_CIRCLE,
            "title": "Benchmark-Kreis",
            "is_public": True,
        },
    )
    goal = Goal.objects.filter(action_field=field).first()
    if goal is None:
        goal = services.goal_create(
            actor=None,
            action_field=field,
            title="Ein Ziel für den Benchmark",
            text="Erster Absatz.\n\nZweiter Absatz.",
        )
        services.goal_transition(actor=None, goal=goal, to_status=Goal.Status.IN_DISCUSSION)
    User = get_user_model()
    tokens, user_ids = [], []
    for n in range(experts):
        username = EXPERT if n == 0 else f"{EXPERT}-{n:03d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            # No password: scripts sign in with their API token.
            user = User.objects.create_user(
                username=username, password=None, first_name=f"Expertin {n}"
            )
        Membership.objects.get_or_create(
            user=user, circle=circle, defaults={"role": Membership.Role.EXPERT}
        )
        tokens.append(token_create(user).key)
        user_ids.append(user.pk)
    return Seed(
        slug=circle.slug,
        circle_id=circle.pk,
        goal_id=goal.pk,
        tokens=tokens,
        user_ids=user_ids,
    )


def vote_goal(seed: Seed) -> tuple[int, int]:
    """A fresh goal of the bench field with a motion open on it (consent, ballots changeable),
    opened by a moderator after the experts joined (they are its eligible voters). Returns
    (goal id, motion id)."""
    from django.contrib.auth import get_user_model

    from deliberation import services
    from deliberation.models import Circle, Goal, Membership
    from voting import services as voting

    circle = Circle.objects.get(pk=seed.circle_id)
    moderator, _ = get_user_model().objects.get_or_create(
        username="bench-moderator", defaults={"first_name": "Moderation"}
    )
    Membership.objects.get_or_create(
        user=moderator, circle=circle, defaults={"role": Membership.Role.MODERATOR}
    )
    goal = services.goal_create(
        actor=None,
        action_field=circle.action_field,
        title=f"Abstimmungsziel {secrets.token_hex(3)}",
        text="Ein Absatz zur Abstimmung.",
    )
    services.goal_transition(actor=None, goal=goal, to_status=Goal.Status.IN_DISCUSSION)
    motion = voting.motion_open(
        actor=moderator, circle=circle, goal_id=goal.pk, method="consent", changeable=True
    )
    return goal.pk, motion.pk


def reset_room(seed: Seed) -> None:
    """Remove the bench room's comments and presence, so every run's welcome snapshot is the
    same size. The event log stays (it is append-only; clients start from a fresh welcome)."""
    from deliberation.models import Comment
    from rooms.models import PresenceReport, RoomPresence

    Comment.objects.filter(circle_id=seed.circle_id).delete()
    PresenceReport.objects.filter(circle_id=seed.circle_id).delete()
    RoomPresence.objects.filter(circle_id=seed.circle_id).delete()


def room_seq(seed: Seed) -> int:
    from deliberation.models import Circle

    return int(Circle.objects.values_list("event_seq", flat=True).get(pk=seed.circle_id))


def presence_rows(seed: Seed) -> list[dict[str, Any]]:
    """The bench room's presence reports (one per server process with sockets in the room)."""
    from rooms.models import PresenceReport

    return list(
        PresenceReport.objects.filter(circle_id=seed.circle_id).values(
            "process", "members", "anonymous"
        )
    )


def close_connections() -> None:
    from django.db import connections

    connections.close_all()


def image_uvicorn_options() -> list[str]:
    """The options of the Docker image's uvicorn command (``Dockerfile`` CMD), for servers the
    benchmarks start themselves: one source for what compose runs and what is measured."""
    program, *arguments, _application = image_command()
    assert program == "uvicorn", program
    skip = ("--host=", "--port=", "--timeout-graceful-shutdown=")
    return [a for a in arguments if not a.startswith(skip)] + ["--no-access-log"]
