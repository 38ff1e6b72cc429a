"""The load process of ``bench.fanout``: N viewers and one posting expert against one server
(or several sharing a room), measured from the client side only.

    python -m bench.load --kind konsens --url ws://127.0.0.1:8100/ws/rooms/bench/ \
        --http http://127.0.0.1:8100 --token <api token> --goal 12 \
        --pid <server pid> --viewers 1000 --comments 30 --rate 2

Viewers run in ``--procs`` child processes (asyncio + ``websockets``), the poster in this
one. Every comment carries its send time (``time.monotonic()``, one clock for every process
on the machine): a viewer's latency is its receive time minus that. The server's CPU time is
read from ``/proc/<pid>/stat`` when posting starts and when the last viewer has every comment
(or the drain deadline passes); its resident memory is sampled meanwhile. Prints one JSON
object.

Konsens viewers follow the protocol's client algorithm (``docs/protocol.md``): a gap in
``seq`` sends ``resume``; a closed socket reconnects with ``?after=<last seq>``. The stock
and reference servers have no resume: what they drop stays lost.

Scenarios: ``steady`` (post M comments at a steady rate, then drain) and ``disconnect`` (post
M comments, drain, then every viewer closes at the same moment).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.common import cpu_seconds, peak_rss_bytes, percentile, rss_bytes

MARK = "bench"
OPEN_TIMEOUT = 120.0
PING_EVERY = 20.0  # Konsens closes sockets silent for 60 s; the protocol says ping every 20 s


def comment_body(n: int) -> str:
    return f"{MARK} {n} {time.monotonic():.6f}"


def parse_body(body: Any) -> tuple[int, float] | None:
    if not isinstance(body, str) or not body.startswith(MARK + " "):
        return None
    _mark, n, sent = body.split(" ", 2)
    return int(n), float(sent)


def stock_frame(n: int) -> dict[str, Any]:
    """What the stock and reference posters send: the same comment shape Konsens sends."""
    body = comment_body(n)
    return {
        "type": "post",
        "data": {
            "comment": {
                "id": n + 1,
                "goal": 1,
                "version": 1,
                "author": {"id": 1, "name": "Expertin 0"},
                "reply_to": None,
                "anchor": None,
                "state": "visible",
                "body": body,
                "body_html": f"<p>{body}</p>",
                "moderation_reason": None,
                "created_at": datetime.now(UTC).isoformat(),
                "edited_at": None,
            }
        },
    }


def comment_of(frame: dict[str, Any]) -> tuple[int, float] | None:
    if frame.get("type") != "event" or frame.get("kind") != "comment.created":
        return None
    data = frame.get("data") or {}
    return parse_body((data.get("comment") or {}).get("body"))


# --- viewers (in child processes) ---------------------------------------------------------------


@dataclass
class Viewer:
    url: str
    origin: str
    konsens: bool
    ws: ClientConnection | None = None
    last_seq: int = 0
    resuming: bool = False
    got: dict[int, float] = field(default_factory=dict)  # comment n -> latency
    frames: int = 0
    frame_bytes: int = 0
    duplicates: int = 0
    gaps: int = 0
    resumes: int = 0
    reconnects: int = 0
    closes: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    connect_time: float | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)
    wanted: int | None = None
    stopping: bool = False

    async def open(self, after: int | None = None) -> None:
        url = self.url if after is None else f"{self.url}?after={after}"
        started = time.monotonic()
        self.ws = await connect(
            url,
            origin=self.origin,  # type: ignore[arg-type]
            compression=None,
            max_size=None,
            ping_interval=None,
            open_timeout=OPEN_TIMEOUT,
            close_timeout=5,
        )
        first = json.loads(await asyncio.wait_for(self.ws.recv(), OPEN_TIMEOUT))
        if after is None:
            self.connect_time = time.monotonic() - started
        self._welcome(first)

    def _welcome(self, frame: dict[str, Any]) -> None:
        if frame.get("type") == "resync":
            return  # a full welcome follows
        if frame.get("type") == "welcome":
            self.last_seq = int(frame.get("seq") or 0)
            self.resuming = False

    async def run(self) -> None:
        while True:
            assert self.ws is not None
            try:
                async for text in self.ws:
                    self.on_frame(text)
            except ConnectionClosed:
                pass
            code = self.ws.close_code
            self.closes.append(code if code is not None else -1)
            if not self.konsens or self.stopping:
                return
            # Konsens: the connection dropped (4409: too slow); resume from the last seq.
            self.reconnects += 1
            try:
                await self.open(after=self.last_seq)
            except Exception as exc:
                self.errors.append(f"reconnect: {exc!r}")
                return

    def on_frame(self, text: str | bytes) -> None:
        now = time.monotonic()
        frame = json.loads(text)
        kind = frame.get("type")
        if kind == "event":
            self.frames += 1
            if self.konsens:
                seq = int(frame["seq"])
                if seq <= self.last_seq:
                    self.duplicates += 1
                    return
                if seq > self.last_seq + 1:
                    # A gap: something was missed. Ask for it; the replay brings this one too.
                    self.gaps += 1
                    if not self.resuming:
                        self.resuming = True
                        self.resumes += 1
                        asyncio.get_running_loop().create_task(self._send_resume())
                    return
                self.last_seq = seq
            comment = comment_of(frame)
            if comment is not None:
                n, sent = comment
                if n in self.got:
                    self.duplicates += 1
                else:
                    self.got[n] = now - sent
                    self.frame_bytes += len(text)
                    if self.wanted is not None and len(self.got) >= self.wanted:
                        self.done.set()
        elif kind == "resumed":
            self.resuming = False
        elif kind in ("welcome", "resync"):
            self._welcome(frame)

    async def _send_resume(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            assert self.ws is not None
            await self.ws.send(json.dumps({"type": "resume", "after": self.last_seq}))

    async def ping(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            if self.ws is not None:
                await self.ws.send('{"type":"ping"}')


async def _child(
    urls: list[str],
    origins: list[str],
    count: int,
    konsens: bool,
    concurrency: int,
    pipe: Connection,
) -> None:
    loop = asyncio.get_running_loop()
    viewers = [
        Viewer(url=urls[i % len(urls)], origin=origins[i % len(origins)], konsens=konsens)
        for i in range(count)
    ]
    gate = asyncio.Semaphore(concurrency)
    tasks: list[asyncio.Task[None]] = []

    async def open_one(viewer: Viewer) -> None:
        async with gate:
            try:
                await viewer.open()
            except Exception as exc:
                viewer.errors.append(f"connect: {exc!r}")
                return
        tasks.append(loop.create_task(viewer.run()))

    # Ping from the start: connecting thousands can take longer than the room's silence
    # timeout (60 s), and the first viewers must not be swept meanwhile.
    pinger = loop.create_task(_ping_loop(viewers)) if konsens else None
    started = time.monotonic()
    await asyncio.gather(*(open_one(v) for v in viewers))
    connected = [v for v in viewers if v.connect_time is not None]
    pipe.send({"connected": len(connected), "wall": time.monotonic() - started})

    cpu_before = time.process_time()
    command = await loop.run_in_executor(None, pipe.recv)  # {"drain": M, "deadline": s}
    wanted, deadline = command["drain"], command["deadline"]
    for viewer in viewers:
        viewer.wanted = wanted
        if len(viewer.got) >= wanted:
            viewer.done.set()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(
            asyncio.gather(*(v.done.wait() for v in connected)),
            max(0.0, deadline - time.monotonic()),
        )
    drained_at = time.monotonic()
    pipe.send({"drained_at": drained_at})
    await loop.run_in_executor(None, pipe.recv)  # "close"
    cpu = time.process_time() - cpu_before
    if pinger is not None:
        pinger.cancel()
    # Every viewer leaves at the same moment (the disconnect scenario measures this).
    for viewer in viewers:
        viewer.stopping = True
    closing_started = time.monotonic()
    await asyncio.gather(
        *(v.ws.close() for v in viewers if v.ws is not None), return_exceptions=True
    )
    close_wall = time.monotonic() - closing_started
    await asyncio.gather(*tasks, return_exceptions=True)
    pipe.send(
        {
            "connect_times": [v.connect_time for v in connected],
            "connect_errors": sum(1 for v in viewers if v.connect_time is None),
            "latencies": [lat for v in connected for lat in v.got.values()],
            "by_comment": _by_comment(connected),
            "delivered": [len(v.got) for v in connected],
            "frames": sum(v.frames for v in viewers),
            "frame_bytes": sum(v.frame_bytes for v in viewers),
            "duplicates": sum(v.duplicates for v in viewers),
            "gaps": sum(v.gaps for v in viewers),
            "resumes": sum(v.resumes for v in viewers),
            "reconnects": sum(v.reconnects for v in viewers),
            "close_codes": _count([c for v in viewers for c in v.closes if c not in (1000, 1005)]),
            "errors": [e for v in viewers for e in v.errors][:20],
            "cpu": cpu,
            "close_wall": close_wall,
        }
    )


async def _ping_loop(viewers: list[Viewer]) -> None:
    while True:
        spacing = PING_EVERY / max(1, len(viewers))
        for viewer in viewers:
            await viewer.ping()
            await asyncio.sleep(spacing)


def _by_comment(viewers: list[Viewer]) -> dict[int, list[float]]:
    """Each comment's slowest and median delivery (to see a cold first post or a late tail)."""
    per: dict[int, list[float]] = {}
    for viewer in viewers:
        for n, latency in viewer.got.items():
            per.setdefault(n, []).append(latency)
    return {n: [percentile(v, 50), max(v)] for n, v in sorted(per.items())}


def _count(values: list[int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[str(value)] = counts.get(str(value), 0) + 1
    return counts


def child_main(
    urls: list[str],
    origins: list[str],
    count: int,
    konsens: bool,
    concurrency: int,
    pipe: Connection,
) -> None:
    # uvloop where installed (uvicorn[standard] brings it): the viewers' own processing is part
    # of every latency measured, for every server alike, so it should cost as little as it can.
    try:
        import uvloop
    except ImportError:
        asyncio.run(_child(urls, origins, count, konsens, concurrency, pipe))
    else:
        uvloop.run(_child(urls, origins, count, konsens, concurrency, pipe))


# --- the poster and the measurement (parent) ----------------------------------------------------


def konsens_ticket(http: str, token: str, slug: str) -> str:
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{http}/api/v1/rooms/{slug}/ticket",
        method="POST",
        headers={"Authorization": f"Token {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return str(json.load(response)["ticket"])


class Poster:
    """One expert posting comments; for Konsens it also waits for presence to settle."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.konsens = args.kind == "konsens"
        self.ws: ClientConnection | None = None
        self.acks = 0
        self.refused: list[dict[str, Any]] = []
        self.viewers_seen = -1
        self.presence = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None

    async def open(self) -> None:
        url = self.args.url[0]
        origin = origin_of(url)
        if self.konsens:
            ticket = await asyncio.get_running_loop().run_in_executor(
                None, konsens_ticket, self.args.http, self.args.token, self.args.slug
            )
            url = f"{url}?ticket={ticket}"
        self.ws = await connect(
            url,
            origin=origin,
            compression=None,
            max_size=None,
            open_timeout=OPEN_TIMEOUT,  # type: ignore[arg-type]
        )
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        with contextlib.suppress(ConnectionClosed):
            async for text in self.ws:
                frame = json.loads(text)
                kind = frame.get("type")
                if kind == "ack":
                    self.acks += 1
                elif kind == "error":
                    self.refused.append(frame)
                elif kind == "welcome" and frame.get("snapshot"):
                    self._viewers(frame["snapshot"].get("presence") or {})
                elif kind == "event" and frame.get("kind") == "presence.changed":
                    self._viewers(frame.get("data") or {})

    def _viewers(self, presence: dict[str, Any]) -> None:
        self.viewers_seen = int(presence.get("viewers", -1))
        if self.viewers_seen >= self.args.viewers:
            self.presence.set()

    async def wait_presence(self, within: float) -> bool:
        """Konsens: wait until the room's presence counts every viewer, so no presence event
        (debounced, one per second at most) falls into the measured window."""
        if not self.konsens:
            return True
        try:
            await asyncio.wait_for(self.presence.wait(), within)
            return True
        except TimeoutError:
            return False

    async def post(self, n: int) -> None:
        assert self.ws is not None
        if self.konsens:
            frame: dict[str, Any] = {
                "type": "comment.post",
                "id": n,
                "goal": self.args.goal,
                "body": comment_body(n),
                "client_key": f"{self.args.run}-{n}",
            }
        else:
            frame = stock_frame(n)
        await self.ws.send(json.dumps(frame))

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader


def origin_of(url: str) -> str:
    host = url.split("//", 1)[1].split("/", 1)[0]
    return f"http://{host}"


async def main(args: argparse.Namespace) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    pids: list[int] = args.pid
    procs = args.procs or max(1, min(4, -(-args.viewers // 2500)))
    ctx = multiprocessing.get_context("spawn")
    pipes, children = [], []
    shares = [args.viewers // procs + (1 if i < args.viewers % procs else 0) for i in range(procs)]
    urls = [f"{u}" for u in args.url]
    origins = [origin_of(u) for u in urls]
    for share in shares:
        parent_end, child_end = ctx.Pipe()
        child = ctx.Process(
            target=child_main,
            args=(urls, origins, share, args.kind == "konsens", args.concurrency, child_end),
            daemon=True,
        )
        child.start()
        pipes.append(parent_end)
        children.append(child)

    async def from_all() -> list[dict[str, Any]]:
        return list(await asyncio.gather(*(loop.run_in_executor(None, p.recv) for p in pipes)))

    peak = {pid: rss_bytes(pid) for pid in pids}
    sampling = True

    async def sample_rss() -> None:
        while sampling:
            for pid in pids:
                with contextlib.suppress(OSError):
                    peak[pid] = max(peak[pid], rss_bytes(pid))
            await asyncio.sleep(0.2)

    sampler = loop.create_task(sample_rss())
    profilers = start_profile(args.profile and f"{args.profile}-connect", pids)
    connect_started = time.monotonic()
    connected = await from_all()
    connect_wall = time.monotonic() - connect_started
    stop_profile(profilers)

    poster = Poster(args)
    await poster.open()
    settled = await poster.wait_presence(within=60)

    profilers = start_profile(args.profile and f"{args.profile}-posting", pids)
    cpu_before = {pid: cpu_seconds(pid) for pid in pids}
    posting_started = time.monotonic()
    for n in range(args.comments):
        due = posting_started + n / args.rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        await poster.post(n)
    posting_wall = time.monotonic() - posting_started
    deadline = time.monotonic() + args.drain
    for pipe in pipes:
        pipe.send({"drain": args.comments, "deadline": deadline})
    drained = await from_all()
    cpu_after = {pid: cpu_seconds(pid) for pid in pids}
    window = max(d["drained_at"] for d in drained) - posting_started
    stop_profile(profilers)

    for pipe in pipes:
        pipe.send("close")
    results = await from_all()
    await poster.close()
    sampling = False
    await sampler
    for child in children:
        child.join(timeout=30)

    latencies = [lat for r in results for lat in r["latencies"]]
    connect_times = [t for r in results for t in r["connect_times"]]
    delivered = sum(sum(r["delivered"]) for r in results)
    viewers_ok = sum(len(r["delivered"]) for r in results)
    server_cpu = sum(cpu_after[p] - cpu_before[p] for p in pids)
    frames = delivered
    return {
        "kind": args.kind,
        "scenario": args.scenario,
        "viewers": args.viewers,
        "viewers_connected": viewers_ok,
        "connect_errors": sum(r["connect_errors"] for r in results),
        "comments": args.comments,
        "rate": args.rate,
        "load_procs": procs,
        "presence_settled": settled,
        "connect_p50_ms": percentile(connect_times, 50) * 1000,
        "connect_p99_ms": percentile(connect_times, 99) * 1000,
        "connect_total_s": connect_wall,
        "latency_p50_ms": percentile(latencies, 50) * 1000,
        "latency_p95_ms": percentile(latencies, 95) * 1000,
        "latency_p99_ms": percentile(latencies, 99) * 1000,
        "latency_max_ms": max(latencies) * 1000 if latencies else float("nan"),
        "delivered": delivered,
        "expected": args.viewers * args.comments,
        "delivered_fraction": delivered / (args.viewers * args.comments),
        "server_cpu_s": server_cpu,
        "cpu_us_per_frame": server_cpu / frames * 1e6 if frames else float("nan"),
        "posting_s": posting_wall,
        "window_s": window,
        "server_peak_rss_mib": sum(peak.values()) / 2**20,
        "server_hwm_rss_mib": sum(_hwm(p) for p in pids) / 2**20,
        "frame_bytes": sum(r["frame_bytes"] for r in results) / delivered if delivered else 0,
        "duplicates": sum(r["duplicates"] for r in results),
        "gaps": sum(r["gaps"] for r in results),
        "resumes": sum(r["resumes"] for r in results),
        "reconnects": sum(r["reconnects"] for r in results),
        "close_codes": _merge([r["close_codes"] for r in results]),
        "errors": [e for r in results for e in r["errors"]][:20],
        "poster_acks": poster.acks,
        "poster_refused": poster.refused[:5],
        "load_cpu_s": sum(r["cpu"] for r in results)
        + resource.getrusage(resource.RUSAGE_SELF).ru_utime,
        "load_cpu_share": sum(r["cpu"] for r in results) / window / procs if window else 0,
        "close_wall_s": max((r.get("close_wall", 0.0) for r in results), default=0.0),
        "connected_wall": [c["wall"] for c in connected],
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "by_comment_ms": {
            n: [round(x * 1000, 1) for x in v] for n, v in results[0]["by_comment"].items()
        },
    }


def start_profile(path: str | None, pids: list[int]) -> list[subprocess.Popen[bytes]]:
    """py-spy on each server process (collapsed stacks, for ``bench.profile``), non-blocking
    so the server is not paused while sampled."""
    if not path:
        return []
    return [
        subprocess.Popen(
            [
                str(Path(sys.executable).with_name("py-spy")),
                "record",
                "--nonblocking",
                "--format",
                "raw",
                "--rate",
                "200",
                "--pid",
                str(pid),
                "--output",
                f"{path}.{i}.txt",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i, pid in enumerate(pids)
    ]


def stop_profile(profilers: list[subprocess.Popen[bytes]]) -> None:
    for profiler in profilers:
        profiler.send_signal(signal.SIGINT)
    for profiler in profilers:
        profiler.wait(timeout=60)


def _hwm(pid: int) -> int:
    try:
        return peak_rss_bytes(pid)
    except OSError:
        return 0


def _merge(counts: list[dict[str, int]]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for count in counts:
        for key, value in count.items():
            merged[key] = merged.get(key, 0) + value
    return merged


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=("konsens", "stock", "reference"), required=True)
    parser.add_argument(
        "--url", action="append", required=True, help="WebSocket URL; repeat to split viewers"
    )
    parser.add_argument("--pid", type=int, action="append", required=True, help="server pid(s)")
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=30)
    parser.add_argument("--rate", type=float, default=2.0, help="comments per second")
    parser.add_argument("--drain", type=float, default=20.0, help="seconds to wait for stragglers")
    parser.add_argument("--procs", type=int, default=0, help="viewer processes (0: one per 2,500)")
    parser.add_argument("--concurrency", type=int, default=50, help="handshakes in flight")
    parser.add_argument("--scenario", choices=("steady", "disconnect"), default="steady")
    parser.add_argument("--http", help="Konsens: the server's http:// base for tickets")
    parser.add_argument("--token", help="Konsens: the posting expert's API token")
    parser.add_argument("--slug", default="bench", help="Konsens: the room")
    parser.add_argument("--goal", type=int, help="Konsens: the goal in discussion")
    parser.add_argument("--run", default=uuid.uuid4().hex[:12], help="client_key prefix")
    parser.add_argument(
        "--profile", help="py-spy the server(s): PATH-connect.<i>.txt and PATH-posting.<i>.txt"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    result = asyncio.run(main(parse_args()))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
