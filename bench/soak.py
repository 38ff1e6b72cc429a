"""Soak test (issue 7): a bounded run with many experts posting, voting and reconnecting at
random; afterwards the database and every client's view must agree event by event.

    python -m bench.soak                       # 10 minutes, 200 clients, two uvicorn processes
    python -m bench.soak --server daphne       # the same on Daphne
    python -m bench.soak --duration 60 --clients 50 --processes 1

Each client is an expert with an API token (tickets for the room, ballots through the API).
It follows ``docs/protocol.md``: it applies every event to its copy of the room's comments,
resumes with ``?after=`` when its socket drops, and re-sends an unacknowledged comment with
the same ``client_key``. At random (exponential intervals) it posts a comment, casts or changes
its ballot on an open motion, or loses its connection (the TCP connection is aborted) and
reconnects to a random server process after a pause.

At the end posting stops, every client catches up to the room's last event, and the run
checks: every client's event stream is gapless and without duplicates; every event it got is
the log's row (seq, kind, data) in the database; its comments are the database's comments;
every acknowledged ``client_key`` is stored exactly once; the ballots stored are the ballots
the clients cast, and the last turnout event counts them. Exit status 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

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
    start_server,
    stop_server,
    table,
)
from bench.fanout import KONSENS_VAR, UVICORN_OPTIONS

CATCH_UP_DEADLINE = 120.0


@dataclass
class Stats:
    posted: int = 0
    reposted: int = 0
    ballots: int = 0
    reconnects: int = 0
    resyncs: int = 0
    replayed: int = 0
    frames: int = 0
    error_frames: list[dict[str, Any]] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # comments received live


@dataclass
class Client:
    n: int
    token: str
    user_id: int
    servers: list[Server]
    slug: str
    goal: int
    motion: int
    http: httpx.AsyncClient
    stats: Stats
    rng: random.Random
    ws: ClientConnection | None = None
    seq: int = 0
    first_seq: int | None = None
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: dict[int, tuple[str, Any]] = field(default_factory=dict)
    duplicates: list[int] = field(default_factory=list)
    gaps: list[tuple[int, int]] = field(default_factory=list)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    acked: dict[str, int] = field(default_factory=dict)  # client_key -> comment id
    voted: str | None = None
    replaying: bool = False  # between a resuming connect and its "resumed"
    stopping: bool = False
    counter: int = 0
    connected: asyncio.Event = field(default_factory=asyncio.Event)

    # --- the connection ------------------------------------------------------------------

    async def connect(self) -> None:
        server = self.rng.choice(self.servers)
        response = await self.http.post(
            f"{server.http}/api/v1/rooms/{self.slug}/ticket",
            headers={"Authorization": f"Token {self.token}"},
        )
        response.raise_for_status()
        query = f"?ticket={response.json()['ticket']}"
        if self.first_seq is not None:
            query += f"&after={self.seq}"
            self.replaying = True
        self.ws = await connect(
            f"ws://127.0.0.1:{server.port}/ws/rooms/{self.slug}/{query}",
            origin=f"http://127.0.0.1:{server.port}",  # type: ignore[arg-type]
            compression=None,
            max_size=None,
            ping_interval=None,
            open_timeout=60,
        )
        self.connected.set()
        for frame in list(self.pending.values()):
            self.stats.reposted += 1
            await self.ws.send(json.dumps(frame))

    async def read(self) -> None:
        while True:
            assert self.ws is not None
            with contextlib.suppress(ConnectionClosed):
                async for text in self.ws:
                    self.handle(json.loads(text))
            if self.stopping:
                return
            self.connected.clear()
            self.stats.reconnects += 1
            await asyncio.sleep(self.rng.uniform(0.1, 3.0))  # back off, then resume
            while True:
                try:
                    await self.connect()
                    break
                except (OSError, httpx.HTTPError, ConnectionClosed) as exc:
                    self.stats.http_errors.append(f"reconnect: {exc!r}")
                    await asyncio.sleep(1)

    def handle(self, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        self.stats.frames += 1
        if kind == "snapshot.part":  # the rest of a long-lived room's comments
            self.comments.update((c["id"], c) for c in frame["comments"])
        elif kind == "welcome":
            if frame["snapshot"] is not None:
                self.comments = {c["id"]: c for c in frame["snapshot"]["comments"]}
                if self.first_seq is None:
                    self.first_seq = frame["seq"]
            self.seq = frame["seq"]
        elif kind == "resync":
            self.stats.resyncs += 1
        elif kind == "resumed":
            self.replaying = False
        elif kind == "event":
            seq = frame["seq"]
            if seq <= self.seq:
                self.duplicates.append(seq)
                return
            if seq != self.seq + 1:
                self.gaps.append((self.seq, seq))
                return
            self.seq = seq
            self.events[seq] = (frame["kind"], frame["data"])
            if frame["kind"].startswith("comment."):
                comment = frame["data"]["comment"]
                if frame["kind"] == "comment.created" and comment["id"] not in self.comments:
                    sent = _sent_at(comment["body"])
                    if self.replaying:
                        self.stats.replayed += 1  # missed while away: its delay is the outage
                    elif sent is not None:
                        self.stats.latencies.append(time.time() - sent)
                self.comments[comment["id"]] = comment
        elif kind == "ack":
            frame_id = frame["id"]
            if frame_id in self.pending:
                self.acked[frame_id] = frame["comment"]
                del self.pending[frame_id]
        elif kind == "error":
            self.stats.error_frames.append(frame)
            self.pending.pop(frame.get("id"), None)

    # --- what a person does ----------------------------------------------------------------

    async def act(self, stop_at: float, means: dict[str, float]) -> None:
        loop = asyncio.get_running_loop()
        due = {what: loop.time() + self.rng.expovariate(1 / mean) for what, mean in means.items()}
        while True:
            what, at = min(due.items(), key=lambda item: item[1])
            if at >= stop_at:
                return
            await asyncio.sleep(max(0.0, at - loop.time()))
            due[what] = loop.time() + self.rng.expovariate(1 / means[what])
            await self.connected.wait()
            try:
                if what == "post":
                    await self.post()
                elif what == "vote":
                    await self.vote()
                elif what == "drop" and self.ws is not None:
                    self.ws.transport.abort()  # the network goes away
                elif what == "ping" and self.ws is not None:
                    await self.ws.send('{"type":"ping"}')
            except ConnectionClosed:
                pass  # the reader reconnects and re-sends what is pending

    async def post(self) -> None:
        self.counter += 1
        key = f"soak-{self.n}-{self.counter}"
        frame = {
            "type": "comment.post",
            "id": key,
            "goal": self.goal,
            "body": f"Beitrag {self.n}/{self.counter} gesendet {time.time():.6f}",
            "client_key": key,
        }
        self.pending[key] = frame
        self.stats.posted += 1
        assert self.ws is not None
        await self.ws.send(json.dumps(frame))

    async def vote(self) -> None:
        choice = self.rng.choice(["consent", "consent_with_concerns", "abstain"])
        server = self.rng.choice(self.servers)
        try:
            response = await self.http.put(
                f"{server.http}/api/v1/motions/{self.motion}/ballot/",
                json={"choice": choice},
                headers={"Authorization": f"Token {self.token}"},
            )
        except httpx.HTTPError as exc:
            self.stats.http_errors.append(f"ballot: {exc!r}")
            return
        if response.status_code in (200, 201):
            self.voted = choice
            self.stats.ballots += 1
        else:
            self.stats.http_errors.append(f"ballot: {response.status_code} {response.text[:200]}")


def _sent_at(body: str) -> float | None:
    if " gesendet " not in body:
        return None
    return float(body.rsplit(" ", 1)[1])


# --- the run -----------------------------------------------------------------------------------


async def soak(
    args: argparse.Namespace, seed: konsens.Seed, servers: list[Server]
) -> dict[str, Any]:
    from asgiref.sync import sync_to_async

    _goal, motion = await sync_to_async(konsens.vote_goal)(seed)
    stats = Stats()
    rng = random.Random(args.seed)
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        clients = [
            Client(
                n=n,
                token=seed.tokens[n],
                user_id=seed.user_ids[n],
                servers=servers,
                slug=seed.slug,
                goal=seed.goal_id,
                motion=motion,
                http=http,
                stats=stats,
                rng=random.Random(rng.random()),
            )
            for n in range(args.clients)
        ]
        gate = asyncio.Semaphore(20)

        async def enter(client: Client) -> None:
            async with gate:
                await client.connect()

        await asyncio.gather(*(enter(c) for c in clients))
        readers = [asyncio.create_task(c.read()) for c in clients]
        loop = asyncio.get_running_loop()
        started = loop.time()
        cpu_before = sum(cpu_seconds(s.pid) for s in servers)
        stop_at = started + args.duration
        means = {
            "post": args.post_every,
            "vote": args.vote_every,
            "drop": args.drop_every,
            "ping": 20.0,
        }
        print(f"  {len(clients)} clients in; acting for {args.duration:g} s", flush=True)
        await asyncio.gather(*(c.act(stop_at, means) for c in clients))
        cpu = sum(cpu_seconds(s.pid) for s in servers) - cpu_before

        # Quiesce: everything acknowledged, then every client at the room's last event.
        deadline = loop.time() + CATCH_UP_DEADLINE
        # Polling 200 clients' state with a deadline; nothing to wait on that is simpler.
        while any(c.pending for c in clients) and loop.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.5)
        final = await sync_to_async(_settled_seq)(seed)
        while any(c.seq < final for c in clients) and loop.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.5)
        for client in clients:
            client.stopping = True
            if client.ws is not None:
                await client.ws.close()
        await asyncio.gather(*readers, return_exceptions=True)
    check = await sync_to_async(verify)(seed, clients, motion, final)
    return {
        "clients": args.clients,
        "processes": len(servers),
        "duration_s": args.duration,
        "comments_posted": stats.posted,
        "comments_resent_after_reconnect": stats.reposted,
        "ballots_cast_or_changed": stats.ballots,
        "reconnects": stats.reconnects,
        "resyncs": stats.resyncs,
        "comments_replayed_after_reconnect": stats.replayed,
        "frames_received": stats.frames,
        "events_in_log": final - min(c.first_seq or 0 for c in clients),
        "error_frames": len(stats.error_frames),
        "error_frame_sample": stats.error_frames[:5],
        "http_errors": len(stats.http_errors),
        "http_error_sample": stats.http_errors[:5],
        # Live deliveries only (comments replayed after a reconnect waited for the client).
        "latency_p50_ms": percentile(stats.latencies, 50) * 1000,
        "latency_p99_ms": percentile(stats.latencies, 99) * 1000,
        "latency_max_ms": max(stats.latencies, default=float("nan")) * 1000,
        "server_cpu_s": cpu,
        "behind_at_end": sum(1 for c in clients if c.seq < final),
        **check,
    }


def _settled_seq(seed: konsens.Seed) -> int:
    """The room's last event once it stops moving (presence changes settle after the
    debounce), so every client can be asked to reach it."""
    last, stable_since = konsens.room_seq(seed), time.monotonic()
    while time.monotonic() - stable_since < 3:
        time.sleep(0.5)
        now = konsens.room_seq(seed)
        if now != last:
            last, stable_since = now, time.monotonic()
    return last


def verify(seed: konsens.Seed, clients: list[Client], motion: int, final: int) -> dict[str, Any]:
    """Compare every client's view with the database, event by event."""
    from deliberation.models import Comment, RoomEvent
    from voting.models import Ballot

    log = {
        e.seq: (e.kind, e.payload)
        for e in RoomEvent.objects.filter(circle_id=seed.circle_id, seq__lte=final)
    }
    stored = {
        c["id"]: c
        for c in Comment.objects.filter(circle_id=seed.circle_id).values(
            "id", "body", "state", "client_key", "author_id"
        )
    }
    problems: list[str] = []
    for client in clients:
        name = f"client {client.n}"
        if client.gaps or client.duplicates:
            problems.append(f"{name}: gaps {client.gaps[:3]}, duplicates {client.duplicates[:3]}")
        first = client.first_seq or 0
        expected = list(range(first + 1, client.seq + 1))
        if sorted(client.events) != expected:
            problems.append(f"{name}: events {len(client.events)} of {len(expected)}")
        for seq, (kind, data) in client.events.items():
            if log.get(seq) != (kind, data):
                problems.append(f"{name}: event {seq} differs from the log")
                break
        view = {i: (c["body"], c["state"]) for i, c in client.comments.items()}
        truth = {i: (c["body"], c["state"]) for i, c in stored.items()}
        if view != truth:
            problems.append(f"{name}: comments differ ({len(view)} seen, {len(truth)} stored)")
        for key, comment_id in client.acked.items():
            mine = [c for c in stored.values() if c["client_key"] == key]
            if len(mine) != 1 or mine[0]["id"] != comment_id:
                problems.append(f"{name}: {key} stored {len(mine)} times")
        if client.pending:
            problems.append(f"{name}: {len(client.pending)} comments never acknowledged")
    ballots = Ballot.objects.filter(motion_id=motion).count()
    voters = sum(1 for c in clients if c.voted is not None)
    if ballots != voters:
        problems.append(f"ballots: {ballots} stored, {voters} voters")
    turnouts = [d for kind, d in log.values() if kind == "motion.turnout" and d["motion"] == motion]
    if voters and (not turnouts or turnouts[-1]["turnout"] != voters):
        problems.append(f"turnout event says {turnouts[-1]['turnout'] if turnouts else None}")
    return {
        "comments_stored": len(stored),
        "ballots_stored": ballots,
        "mismatches": len(problems),
        "problems": problems[:20],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of activity")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--processes", type=int, default=2, help="server processes (shared Redis)")
    parser.add_argument(
        "--server",
        choices=("daphne", "uvicorn"),
        default="uvicorn",
        help="uvicorn: as the compose file runs it (default)",
    )
    parser.add_argument("--post-every", type=float, default=20.0, help="mean s between posts")
    parser.add_argument("--vote-every", type=float, default=90.0, help="mean s between ballots")
    parser.add_argument("--drop-every", type=float, default=90.0, help="mean s between drops")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument("--database-url", default=konsens.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=konsens.DEFAULT_REDIS_URL)
    parser.add_argument(
        "--out",
        default=str(ROOT / "var" / "bench" / datetime.now().strftime("soak-%Y%m%d-%H%M%S")),
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    info = machine_info()
    print(f"# soak: load average {info['load_average']}", flush=True)
    seed = konsens.prepare(args.database_url, args.redis_url, KONSENS_VAR, experts=args.clients)
    konsens.reset_room(seed)
    konsens.close_connections()
    # With the connection pool, as the compose file runs the servers.
    env = konsens.server_env(args.database_url, args.redis_url, KONSENS_VAR, pool=True)
    servers = []
    try:
        for i in range(args.processes):
            port = free_port()
            if args.server == "uvicorn":
                command = [
                    PYTHON,
                    "-m",
                    "uvicorn",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    *UVICORN_OPTIONS,
                    "config.asgi:application",
                ]
            else:
                command = [
                    PYTHON,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "config.asgi:application",
                ]
            servers.append(
                start_server(
                    f"soak-{i}",
                    command,
                    port=port,
                    env=env,
                    log_dir=out / "logs",
                    ws_path="/",
                    ready_path="/healthz",
                )
            )
        result = asyncio.run(soak(args, seed, servers))
    finally:
        for server in servers:
            stop_server(server)
    logs = "\n".join(s.log_text() for s in servers)
    result["server_log_errors"] = sum(
        1 for line in logs.splitlines() if " ERROR " in line or "Traceback" in line
    )
    info["load_average_end"] = load_average()
    rows = [[k, v] for k, v in result.items() if not isinstance(v, list)]
    text = "\n".join(
        [
            f"Command: `python -m bench.soak {' '.join(sys.argv[1:])}`".replace("  ", " ") + "  ",
            f"Machine: {info['cpu']}, {info['cores']} cores; load average at start "
            f"{info['load_average']}, at end {info['load_average_end']}  ",
            f"Servers: {args.processes} × {args.server}, PostgreSQL, Redis; means: post every "
            f"{args.post_every:g} s, ballot every {args.vote_every:g} s, connection lost every "
            f"{args.drop_every:g} s per client",
            "",
            table(["", "value"], rows),
            "",
            "Problems: " + ("none" if not result["problems"] else "; ".join(result["problems"])),
        ]
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(text + "\n")
    dump(out / "results.json", {"machine": info, "result": result})
    print()
    print(text)
    sys.exit(1 if result["mismatches"] or result["behind_at_end"] else 0)


if __name__ == "__main__":
    main()
