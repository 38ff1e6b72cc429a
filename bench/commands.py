"""The cost of a command (issue 17): server CPU per room command, beside the bare references
measured in the same run, on loopback.

    python -m bench.commands                          # 300 of each, 5 viewers, pool on
    python -m bench.commands --commands 1000 --repeat 3
    python -m bench.commands --profile               # cProfile in the server; figures inflated

One server process (uvicorn exactly as the image runs it, or ``--server daphne``) with DEBUG
off, PostgreSQL (a dedicated database, migrated and seeded by ``bench.konsens``) and Redis,
the application ``bench.commands_asgi`` (production's, plus the references of
``bench.commands_app``). A handful of anonymous viewers sit in the room and receive every
event; one expert (API token, single-use ticket) sends commands one at a time and waits for
each ``ack``. Measured: the server process's CPU time (``/proc/<pid>/stat``, user + system,
all threads) over N commands ÷ N, after a warm-up, and the client's round trip.

Scenarios:

* ``ping``: the socket's floor (a frame in, a frame out, no database);
* ``insert.http``: ``POST /bench/insert/``, a bare Django view doing one INSERT in a
  transaction (keep-alive connection, production's middleware);
* ``insert.ws``: the same over the socket path: a bare consumer doing one INSERT per frame;
* ``comment.post``: a new comment (Markdown) on a goal in discussion, during a round;
* ``hand.raise``: ``hand.raise`` and ``hand.lower`` alternately (per command);
* ``rating.set``: the expert's rating of an agenda goal, a different value each time;
* ``ballot.cast``: a new ballot (consent) on one of N open motions, one each.

SQL queries per command are counted in this process (``rooms.commands.execute`` as the
socket calls it, the second of two calls), before the server starts.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import statistics
import sys
import time
import urllib.request
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from bench import konsens
from bench.common import (
    PYTHON,
    ROOT,
    Server,
    cpu_seconds,
    dump,
    free_port,
    load_average,
    machine_info,
    percentile,
    running,
    start_server,
    table,
)

SCENARIOS = (
    "ping",
    "insert.http",
    "insert.ws",
    "comment.post",
    "hand.raise",
    "rating.set",
    "ballot.cast",
)
REFERENCES = ("ping", "insert.http", "insert.ws")
VOTE_TITLE = "Bench-Abstimmung"
KONSENS_VAR = ROOT / "var" / "bench" / "konsens-var"
APP = "bench.commands_asgi:application"
SETTINGS = "bench.commands_settings"
TIMEOUT = 30.0


@dataclass
class Setup:
    seed: konsens.Seed
    rating_goal: int
    motions: list[int]
    queries: dict[str, int] = field(default_factory=dict)


# --- the database ------------------------------------------------------------------------


def prepare(args: argparse.Namespace, motions: int) -> Setup:
    """Seed the bench database (idempotent), open a round with the bench goal on its agenda,
    and ``motions`` fresh motions the expert may vote on; count each command's queries."""
    if args.skip_migrate:  # the database is migrated and the static files collected
        konsens.setup_django(konsens.server_env(args.database_url, args.redis_url, KONSENS_VAR))
        seed = konsens.seed()
    else:
        seed = konsens.prepare(args.database_url, args.redis_url, KONSENS_VAR)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from bench.commands_app import CREATE_TABLE
    from deliberation import services
    from deliberation.models import ActionField, Circle, Goal, HandRaise, Membership, Round
    from deliberation.rounds import selectors as round_selectors
    from deliberation.rounds import services as round_services
    from voting import services as voting
    from voting.models import Motion

    with connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)
    konsens.reset_room(seed)
    circle = Circle.objects.get(pk=seed.circle_id)
    HandRaise.objects.filter(circle=circle).delete()
    moderator, _ = get_user_model().objects.get_or_create(
        username="bench-moderator", defaults={"first_name": "Moderation"}
    )
    Membership.objects.get_or_create(
        user=moderator, circle=circle, defaults={"role": Membership.Role.MODERATOR}
    )
    # Earlier runs' vote goals and motions move to an archive field and circle (the log
    # protects them from deletion), so every run's room (and welcome) is the same size.
    archive_field, _ = ActionField.objects.get_or_create(
        slug=f"{seed.slug}-archive",
        defaults={"concept": circle.action_field.concept, "title": "Archiv", "order": 100},
    )
    archive, _ = Circle.objects.get_or_create(
        slug=f"{seed.slug}-archive",
        defaults={"action_field": archive_field, "kind": circle.kind, "title": "Archiv"},
    )
    old = Goal.objects.filter(action_field_id=circle.action_field_id, title__startswith=VOTE_TITLE)
    Motion.objects.filter(goal__in=old).update(circle=archive)
    old.update(action_field=archive_field)
    active = round_selectors.active_round(circle)
    if active is not None and active.phase != Round.Phase.DISCUSSION:
        round_services.round_set_phase(actor=moderator, circle=circle, phase="closed")
        active = None
    if active is None:
        round_services.round_open(actor=moderator, circle=circle, agenda=[seed.goal_id])
    goal_ids = []
    for n in range(motions):
        goal = services.goal_create(
            actor=None,
            action_field=circle.action_field,
            title=f"{VOTE_TITLE} {n}",
            text="Ein Absatz zur Abstimmung.",
        )
        services.goal_transition(actor=None, goal=goal, to_status=Goal.Status.IN_DISCUSSION)
        goal_ids.append(goal.pk)
    opened = []
    for first in range(0, len(goal_ids), voting.BATCH_MAX):
        opened += voting.motions_open(
            actor=moderator,
            circle=circle,
            goal_ids=goal_ids[first : first + voting.BATCH_MAX],
            method="consent",
            changeable=True,
        )
    setup = Setup(seed=seed, rating_goal=seed.goal_id, motions=[m.pk for m in opened])
    setup.queries = count_queries(setup, circle)
    konsens.reset_room(seed)
    konsens.close_connections()
    return setup


def count_queries(setup: Setup, circle: Any) -> dict[str, int]:
    """SQL queries of each command as the socket runs it (the second call of two)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from rooms import commands

    expert = get_user_model().objects.get(pk=setup.seed.user_ids[0])
    goal = setup.seed.goal_id
    calls: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "comment.post": [("comment.post", {**comment_fields(-n), "goal": goal}) for n in (1, 2)],
        "hand.raise": [("hand.raise", {}), ("hand.lower", {})] * 2,
        "rating.set": [("rating.set", {"goal": setup.rating_goal, "support": s}) for s in (1, 2)],
        "ballot.cast": [
            ("ballot.cast", {"motion": setup.motions.pop(), "choice": "consent"}) for _ in (1, 2)
        ],
    }
    counts = {}
    for scenario, frames in calls.items():
        captured = []
        for command, fields in frames:
            reset_queries()  # a full query log (9,000 while seeding) would count nothing
            with CaptureQueriesContext(connection) as queries:
                commands.execute(
                    actor=expert,
                    circle=circle,
                    command=command,
                    fields=fields,
                    language="de",
                    role="expert",
                )
            captured.append(len(queries))
        second = captured[len(captured) // 2 :]  # warm: the second half
        counts[scenario] = round(sum(second) / len(second))
    return counts


def comment_fields(n: int) -> dict[str, Any]:
    return {
        "body": f"Beitrag {n}: Wie wird das **gemessen**? Siehe [Quelle](https://example.org/).",
        "client_key": uuid.uuid4().hex,
    }


# --- the client ----------------------------------------------------------------------------


class Socket:
    """One connection, one command in flight: send, then read until its reply."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.n = 0

    async def command(self, frame: dict[str, Any]) -> dict[str, Any]:
        self.n += 1
        frame_id = f"b-{self.n}"
        await self.ws.send(json.dumps({**frame, "id": frame_id}))
        while True:
            reply = json.loads(await asyncio.wait_for(self.ws.recv(), TIMEOUT))
            if reply.get("id") == frame_id and reply.get("type") in ("ack", "error", "pong"):
                if reply["type"] == "error":
                    raise RuntimeError(f"{frame['type']}: {reply}")
                return dict(reply)


async def open_room(server: Server, *, ticket: str | None = None) -> ClientConnection:
    url = server.ws + (f"?ticket={ticket}" if ticket else "")
    ws = await connect(url, origin=Origin(server.http), compression=None, max_size=None)
    welcome = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
    if welcome.get("type") != "welcome":
        raise RuntimeError(f"no welcome: {welcome}")
    return ws


async def drain(ws: ClientConnection) -> None:
    async for _frame in ws:
        pass


def ticket(server: Server, token: str, slug: str) -> str:
    request = urllib.request.Request(  # noqa: S310
        f"{server.http}/api/v1/rooms/{slug}/ticket",
        method="POST",
        headers={"Authorization": f"Token {token}"},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        return str(json.load(response)["ticket"])


class HttpInsert:
    """``POST /bench/insert/`` on one keep-alive connection (in a thread: the viewers read
    meanwhile)."""

    def __init__(self, server: Server) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)

    def post(self, n: int) -> None:
        try:
            self.connection.request("POST", "/bench/insert/", body=f"row {n}".encode())
            response = self.connection.getresponse()
        except (ConnectionError, http.client.HTTPException):
            # The server closed the idle keep-alive connection (between scenarios): reopen.
            self.connection.close()
            self.connection.connect()
            self.connection.request("POST", "/bench/insert/", body=f"row {n}".encode())
            response = self.connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"/bench/insert/ answered {response.status}")


def profile_switch(server: Server, action: str, name: str = "") -> None:
    request = urllib.request.Request(  # noqa: S310
        f"{server.http}/bench/profile/{action}/?name={name}", method="POST", data=b""
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        response.read()


async def run_scenarios(
    server: Server, setup: Setup, args: argparse.Namespace, scenarios: list[str]
) -> list[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    viewers = [await open_room(server) for _ in range(args.viewers)]
    readers = [loop.create_task(drain(ws)) for ws in viewers]
    raw = await loop.run_in_executor(None, ticket, server, setup.seed.tokens[0], setup.seed.slug)
    expert = Socket(await open_room(server, ticket=raw))
    bare = await connect(
        f"ws://127.0.0.1:{server.port}/ws/bench/insert/",
        origin=Origin(server.http),
        compression=None,
    )
    http_insert = HttpInsert(server)
    motions = iter(setup.motions)
    counter = iter(range(10**9))
    hand_up = False

    async def ws_insert(n: int) -> None:
        await bare.send(f"row {n}")
        await asyncio.wait_for(bare.recv(), TIMEOUT)

    async def hand(n: int) -> None:
        nonlocal hand_up
        await expert.command({"type": "hand.lower" if hand_up else "hand.raise"})
        hand_up = not hand_up

    steps: dict[str, Callable[[int], Awaitable[Any]]] = {
        "ping": lambda n: expert.command({"type": "ping"}),
        "insert.http": lambda n: loop.run_in_executor(None, http_insert.post, n),
        "insert.ws": ws_insert,
        "comment.post": lambda n: expert.command(
            {"type": "comment.post", **comment_fields(n), "goal": setup.seed.goal_id}
        ),
        "hand.raise": hand,
        "rating.set": lambda n: expert.command(
            {"type": "rating.set", "goal": setup.rating_goal, "support": 1 + n % 5}
        ),
        "ballot.cast": lambda n: expert.command(
            {"type": "ballot.cast", "motion": next(motions), "choice": "consent"}
        ),
    }
    results = []
    try:
        for repeat in range(args.repeat):
            for name in scenarios:
                step = steps[name]
                for _ in range(args.warmup):
                    await step(next(counter))
                if args.profile:
                    await loop.run_in_executor(
                        None, profile_switch, server, "start", f"{name}-{repeat}"
                    )
                trips = []
                cpu_before = cpu_seconds(server.pid)
                started = time.perf_counter()
                for _ in range(args.commands):
                    sent = time.perf_counter()
                    await step(next(counter))
                    trips.append(time.perf_counter() - sent)
                wall = time.perf_counter() - started
                cpu = cpu_seconds(server.pid) - cpu_before
                if args.profile:
                    await loop.run_in_executor(
                        None, profile_switch, server, "stop", f"{name}-{repeat}"
                    )
                result = {
                    "scenario": name,
                    "repeat": repeat,
                    "commands": args.commands,
                    "cpu_ms": 1000 * cpu / args.commands,
                    "wall_ms": 1000 * wall / args.commands,
                    "trip_p50_ms": 1000 * percentile(trips, 50),
                    "trip_p99_ms": 1000 * percentile(trips, 99),
                }
                results.append(result)
                print(
                    f"- {name} #{repeat}: {result['cpu_ms']:.2f} ms CPU/command, "
                    f"round trip p50 {result['trip_p50_ms']:.2f} ms (load {load_average()})",
                    flush=True,
                )
    finally:
        if hand_up:
            await expert.command({"type": "hand.lower"})
        for ws in [*viewers, expert.ws, bare]:
            await ws.close()
        for reader in readers:
            reader.cancel()
        http_insert.connection.close()
    return results


def start(args: argparse.Namespace, setup: Setup, log_dir: Path) -> Server:
    port = free_port()
    extra = {
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "WEBSOCKET_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
    }
    if args.profile:
        extra["BENCH_PROFILE_DIR"] = str(log_dir.parent / "profiles")
    env = konsens.server_env(
        args.database_url, args.redis_url, KONSENS_VAR, pool=args.pool, **extra
    )
    if args.server == "daphne":
        command = [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), APP]
    else:
        options = konsens.image_uvicorn_options()
        command = [PYTHON, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port)]
        command += [*options, APP]
    return start_server(
        f"konsens-{args.server}",
        command,
        port=port,
        env=env,
        log_dir=log_dir,
        ws_path=f"/ws/rooms/{setup.seed.slug}/",
        ready_path="/healthz",
    )


# --- the report ----------------------------------------------------------------------------


def summary(results: list[dict[str, Any]], queries: dict[str, int]) -> list[dict[str, Any]]:
    rows = []
    for name in dict.fromkeys(r["scenario"] for r in results):
        mine = [r for r in results if r["scenario"] == name]
        rows.append(
            {
                "scenario": name,
                "commands": sum(r["commands"] for r in mine),
                "cpu_ms": statistics.median(r["cpu_ms"] for r in mine),
                "trip_p50_ms": statistics.median(r["trip_p50_ms"] for r in mine),
                "queries": queries.get(name),
            }
        )
    return rows


def report(rows: list[dict[str, Any]], info: dict[str, Any], command: str, args: Any) -> str:
    ws_ref = next((r["cpu_ms"] for r in rows if r["scenario"] == "insert.ws"), None)
    http_ref = next((r["cpu_ms"] for r in rows if r["scenario"] == "insert.http"), None)

    def ratio(value: float, reference: float | None) -> str:
        return f"{value / reference:.1f}×" if reference else "–"

    body = table(
        [
            "command",
            "commands",
            "server CPU ms/command",
            "× socket INSERT",
            "× view INSERT",
            "round trip p50 ms",
            "SQL queries",
        ],
        [
            [
                r["scenario"],
                r["commands"],
                r["cpu_ms"],
                ratio(r["cpu_ms"], ws_ref),
                ratio(r["cpu_ms"], http_ref),
                r["trip_p50_ms"],
                r["queries"],
            ]
            for r in rows
        ],
    )
    notes = [
        f"`{command}`",
        "",
        f"{info['cpu']}, {info['cores']} cores, Python {info['python']}, "
        f"load average {info['load_average']} → {info.get('load_average_end', '?')}; "
        f"server {args.server}, pool {'on' if args.pool else 'off'}, {args.viewers} viewers, "
        f"median of {args.repeat} run(s).",
    ]
    if args.profile:
        notes.append("Profiled (cProfile in the server): the CPU figures are inflated.")
    return "\n".join([*notes, "", body, ""])


def profile_summaries(directory: Path, top: int = 30) -> None:
    import pstats

    for path in sorted(directory.glob("*.pstats")):
        with (path.with_suffix(".txt")).open("w") as out:
            try:
                stats = pstats.Stats(str(path), stream=out)
            except TypeError:  # nothing ran there (a ping never reaches the database thread)
                out.write("no calls profiled\n")
                continue
            stats.sort_stats("cumulative").print_stats(top)
            stats.sort_stats("tottime").print_stats(top)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=300, help="measured commands per scenario")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured commands first")
    parser.add_argument("--repeat", type=int, default=1, help="runs of every scenario (median)")
    parser.add_argument("--viewers", type=int, default=5, help="anonymous viewers in the room")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--server", choices=("uvicorn", "daphne"), default="uvicorn")
    parser.add_argument(
        "--pool",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="psycopg's connection pool, as compose runs it (default on)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile in the server")
    parser.add_argument(
        "--skip-migrate", action="store_true", help="the bench database is up to date already"
    )
    parser.add_argument("--database-url", default=konsens.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=konsens.DEFAULT_REDIS_URL)
    parser.add_argument(
        "--out",
        default=str(ROOT / "var" / "bench" / datetime.now().strftime("commands-%Y%m%d-%H%M%S")),
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    args = parse_args(argv)
    scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    info = machine_info()
    print(f"# command benchmark: load average {info['load_average']}; logs in {out}", flush=True)
    ballots = (args.commands + args.warmup) * args.repeat if "ballot.cast" in scenarios else 0
    setup = prepare(args, ballots + 2)
    with running(start(args, setup, out / "logs")) as server:
        results = asyncio.run(run_scenarios(server, setup, args, scenarios))
    if args.profile:
        profile_summaries(out / "profiles")
    info["load_average_end"] = load_average()
    rows = summary(results, setup.queries)
    command = "python -m bench.commands " + " ".join(sys.argv[1:] if argv is None else argv)
    text = report(rows, info, command.strip(), args)
    (out / "report.md").write_text(text)
    dump(out / "results.json", {"machine": info, "results": results, "summary": rows})
    print()
    print(text)
    return rows


if __name__ == "__main__":
    main()
