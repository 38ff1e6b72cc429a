"""Connection storms (issue 17): N viewers connect at the same moment, or a server process is
killed and its viewers reconnect to another one; time until every viewer has its welcome.

    python -m bench.fanout --viewers 5000 --scenarios storm,failover --pool \
        --servers konsens-uvicorn,reference

The orchestration (``storm``, ``failover``) runs in ``bench.fanout``'s process and starts
the servers through its ``Bench``; the viewers run in this module's load process
(``python -m bench.storm``) and its children, as in ``bench.load``:

* **storm**: the viewers are created idle in the child processes; on one signal every one of
  them opens its socket at once (no cap on handshakes in flight). Measured: the time from
  the signal until the last viewer has its first frame (Konsens: ``welcome`` with the room's
  snapshot; the reference: its one-line welcome), the p50/p99 of the viewers' own times, the
  server's CPU over the storm, and its **resident memory per connection**: RSS once every
  viewer is welcomed and the server is idle again, minus RSS before the storm, over N.
* **failover**: two server processes share PostgreSQL and Redis (Konsens) or are simply two
  processes (the reference). The viewers connect to the first (50 handshakes in flight, not
  measured); then it is killed with SIGKILL, and every viewer reconnects at once to the
  second — Konsens viewers as the protocol's client does, with ``?after=<last seq>``, done
  at ``resumed``; reference viewers done at their welcome. Measured: from the kill until the
  last viewer is back.

Both report the viewers' close codes and errors; a viewer that is not welcomed within the
deadline counts as failed (and the run says so).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench.common import PYTHON, ROOT, cpu_seconds, percentile, rss_bytes, stop_server, table
from bench.load import start_profile, stop_profile

DEADLINE = 120.0  # seconds for every viewer to be welcomed (or back)
SETTLE = 1.5  # seconds of quiet before the memory is read
PER_PROCESS = 2500  # viewers per load process


# --- the viewers (child processes) --------------------------------------------------------------


# Set by ``bench.fanout --browser-deflate`` (and inherited by the load processes).
BROWSER_DEFLATE = "BENCH_BROWSER_DEFLATE"


class StormViewer:
    __slots__ = ("back_at", "closed_at", "code", "error", "last_seq", "reader", "welcomed_at", "ws")

    def __init__(self) -> None:
        self.ws: Any = None
        self.last_seq = 0
        self.welcomed_at: float | None = None
        self.back_at: float | None = None
        self.closed_at: float | None = None
        self.error: str | None = None
        self.code: int | None = None
        self.reader: asyncio.Task[None] | None = None

    async def open(self, url: str, *, after: int | None = None) -> dict[str, Any]:
        from websockets.asyncio.client import connect

        origin = "http://" + url.split("//", 1)[1].split("/", 1)[0]
        target = url if after is None else f"{url}?after={after}"
        self.ws = await connect(
            target,
            origin=origin,  # type: ignore[arg-type]
            # ``--browser-deflate``: offer permessage-deflate as browsers do
            compression="deflate" if os.environ.get(BROWSER_DEFLATE) else None,
            max_size=None,
            ping_interval=None,
            open_timeout=DEADLINE,
            close_timeout=2,
        )
        first: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), DEADLINE))
        if first.get("type") == "welcome":
            self.last_seq = int(first.get("seq") or 0)
        return first

    async def until_resumed(self) -> None:
        """Konsens with ``?after=``: frames until ``resumed`` (the replay in between)."""
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), DEADLINE))
            if frame.get("type") == "event":
                self.last_seq = max(self.last_seq, int(frame["seq"]))
            if frame.get("type") == "resumed":
                return

    async def read(self) -> None:
        """Keep reading (presence events) until the socket closes."""
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed):
            async for text in self.ws:
                frame = json.loads(text)
                if frame.get("type") == "event":
                    self.last_seq = max(self.last_seq, int(frame["seq"]))
        self.closed_at = time.monotonic()
        self.code = self.ws.close_code


async def _child(
    urls: list[str], in_flight: int, count: int, konsens: bool, scenario: str, pipe: Connection
) -> None:
    loop = asyncio.get_running_loop()
    viewers = [StormViewer() for _ in range(count)]
    recv = lambda: loop.run_in_executor(None, pipe.recv)  # noqa: E731

    async def welcome(viewer: StormViewer, gate: asyncio.Semaphore | None) -> None:
        try:
            if gate is None:
                await viewer.open(urls[0])
            else:
                async with gate:
                    await viewer.open(urls[0])
            viewer.welcomed_at = time.monotonic()
            viewer.reader = loop.create_task(viewer.read())
        except Exception as exc:
            viewer.error = f"connect: {exc!r}"[:200]

    async def ping() -> None:
        # Konsens closes sockets silent for 60 s (4408); the protocol says ping every 20 s.
        while True:
            for viewer in viewers:
                if viewer.ws is not None:
                    with contextlib.suppress(Exception):
                        await viewer.ws.send('{"type":"ping"}')
                await asyncio.sleep(20 / len(viewers))

    pinger = loop.create_task(ping()) if konsens else None
    if scenario == "storm":
        pipe.send("ready")
        await recv()  # go
        storm_gate = asyncio.Semaphore(in_flight) if in_flight else None
        await asyncio.gather(*(welcome(v, storm_gate) for v in viewers))
        pipe.send({"welcomed_at": [v.welcomed_at for v in viewers if v.welcomed_at]})
        await recv()  # close
    else:
        gate = asyncio.Semaphore(50)
        await asyncio.gather(*(welcome(v, gate) for v in viewers))
        pipe.send({"connected": sum(1 for v in viewers if v.welcomed_at)})
        await recv()  # the first server is being killed: come back on the second

        async def back(viewer: StormViewer) -> None:
            assert viewer.reader is not None
            await viewer.reader  # until the socket closes
            try:
                if konsens:
                    await viewer.open(urls[1], after=viewer.last_seq)
                    await viewer.until_resumed()
                else:
                    await viewer.open(urls[1])
                viewer.back_at = time.monotonic()
            except Exception as exc:
                viewer.error = f"reconnect: {exc!r}"[:200]

        live = [v for v in viewers if v.welcomed_at]
        await asyncio.gather(*(back(v) for v in live))
        pipe.send(
            {
                "back_at": [v.back_at for v in live if v.back_at],
                "closed_at": [v.closed_at for v in live if v.closed_at],
            }
        )
        await recv()  # close
    if pinger is not None:
        pinger.cancel()
    await asyncio.gather(
        *(v.ws.close() for v in viewers if v.ws is not None), return_exceptions=True
    )
    codes: dict[str, int] = {}
    for v in viewers:
        if v.code not in (None, 1000, 1005, 1006):
            codes[str(v.code)] = codes.get(str(v.code), 0) + 1
    pipe.send(
        {
            "errors": [v.error for v in viewers if v.error][:10],
            "failed": sum(1 for v in viewers if v.error),
            "close_codes": codes,
        }
    )


def child_main(
    urls: list[str], in_flight: int, count: int, konsens: bool, scenario: str, pipe: Connection
) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(_child(urls, in_flight, count, konsens, scenario, pipe))
    else:
        uvloop.run(_child(urls, in_flight, count, konsens, scenario, pipe))


# --- the load process ---------------------------------------------------------------------------


def _raise_file_limit() -> None:
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def load_main(args: argparse.Namespace) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    procs = max(1, -(-args.viewers // PER_PROCESS))
    shares = [args.viewers // procs + (1 if i < args.viewers % procs else 0) for i in range(procs)]
    ctx = multiprocessing.get_context("spawn")
    pipes, children = [], []
    for share in shares:
        parent_end, child_end = ctx.Pipe()
        child = ctx.Process(
            target=child_main,
            args=(
                args.url,
                -(-args.in_flight // procs) if args.in_flight else 0,
                share,
                args.kind == "konsens",
                args.scenario,
                child_end,
            ),
            daemon=True,
        )
        child.start()
        pipes.append(parent_end)
        children.append(child)

    async def from_all() -> list[Any]:
        return list(await asyncio.gather(*(loop.run_in_executor(None, p.recv) for p in pipes)))

    pid = args.pid[0]
    result: dict[str, Any] = {"kind": args.kind, "scenario": args.scenario, "viewers": args.viewers}
    if args.scenario == "storm":
        await from_all()  # every child has its viewers ready
        await asyncio.sleep(SETTLE)
        rss_before, cpu_before = rss_bytes(pid), cpu_seconds(pid)
        peak = rss_before
        started = time.monotonic()
        profilers = start_profile(args.profile, [pid])
        for pipe in pipes:
            pipe.send("go")
        gathered = loop.create_task(from_all())
        while not gathered.done():
            peak = max(peak, rss_bytes(pid))
            await asyncio.sleep(0.1)
        welcomed = [t - started for r in gathered.result() for t in r["welcomed_at"]]
        cpu_storm = cpu_seconds(pid) - cpu_before
        stop_profile(profilers)
        await _quiet(pid)
        rss_after = rss_bytes(pid)
        result.update(
            welcomed=len(welcomed),
            welcome_all_s=max(welcomed) if welcomed else float("nan"),
            welcome_p50_s=percentile(welcomed, 50),
            welcome_p99_s=percentile(welcomed, 99),
            server_cpu_s=cpu_storm,
            cpu_ms_per_connection=cpu_storm / len(welcomed) * 1e3 if welcomed else float("nan"),
            rss_before_mib=rss_before / 2**20,
            rss_after_mib=rss_after / 2**20,
            rss_peak_mib=peak / 2**20,
            kib_per_connection=(rss_after - rss_before) / 1024 / len(welcomed)
            if welcomed
            else float("nan"),
        )
    else:
        connected = sum(r["connected"] for r in await from_all())
        await asyncio.sleep(SETTLE)
        cpu_before = cpu_seconds(args.pid[1])
        profilers = start_profile(args.profile, [args.pid[1]])
        killed = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        for pipe in pipes:
            pipe.send("back")
        returned = await from_all()
        back = [t - killed for r in returned for t in r["back_at"]]
        closed = [t - killed for r in returned for t in r["closed_at"]]
        cpu = cpu_seconds(args.pid[1]) - cpu_before
        stop_profile(profilers)
        result.update(
            connected=connected,
            back=len(back),
            back_all_s=max(back) if back else float("nan"),
            back_p50_s=percentile(back, 50),
            back_p99_s=percentile(back, 99),
            noticed_all_s=max(closed) if closed else float("nan"),
            server_cpu_s=cpu,
            cpu_ms_per_connection=cpu / len(back) * 1e3 if back else float("nan"),
        )
    for pipe in pipes:
        pipe.send("close")
    finals = await from_all()
    for child in children:
        child.join(timeout=30)
    codes: dict[str, int] = {}
    for r in finals:
        for code, n in r["close_codes"].items():
            codes[code] = codes.get(code, 0) + n
    result.update(
        failed=sum(r["failed"] for r in finals),
        errors=[e for r in finals for e in r["errors"]][:10],
        close_codes=codes,
        load_average=" ".join(f"{x:.2f}" for x in os.getloadavg()),
    )
    return result


async def _quiet(pid: int) -> None:
    """Wait until the server has used no CPU for a moment (the welcomes are all written, the
    presence report is done), at most a few seconds."""
    deadline = time.monotonic() + 10
    last = cpu_seconds(pid)
    while time.monotonic() < deadline:
        await asyncio.sleep(SETTLE)
        now = cpu_seconds(pid)
        if now - last < 0.02:
            return
        last = now


# --- the orchestration (bench.fanout's process) -------------------------------------------------


def measure(bench: Any, kind: str, viewers: int, scenario: str) -> dict[str, Any]:
    """One storm or failover measurement with fresh servers from ``bench`` (a ``Bench``)."""
    from bench import konsens

    konsens_kind = kind.startswith("konsens")
    if konsens_kind:
        konsens.reset_room(bench.seed)
    label = f"{kind}-{scenario}-{viewers}"
    count = 1 if scenario == "storm" else 2
    servers = [bench.start(kind, f"{label}-{i}") for i in range(count)]
    try:
        command = [PYTHON, "-m", "bench.storm", "--kind", "konsens" if konsens_kind else kind]
        command += ["--viewers", str(viewers), "--scenario", scenario]
        command += ["--in-flight", str(bench.args.storm_in_flight)]
        if bench.args.profile:
            (Path(bench.args.out) / "profiles").mkdir(parents=True, exist_ok=True)
            command += ["--profile", str(Path(bench.args.out) / "profiles" / label)]
        for server in servers:
            command += ["--url", server.ws, "--pid", str(server.pid)]
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"storm load failed for {label}:\n{done.stderr[-4000:]}")
        result: dict[str, Any] = json.loads(done.stdout)
        result.update(label=label, kind=kind, server=bench.label(kind))
        result["wall_s"] = time.monotonic() - started
        return result
    finally:
        for server in servers:
            stop_server(server)


def storm_table(results: list[dict[str, Any]]) -> str:
    rows = [
        [
            r["server"],
            r["viewers"],
            r["welcomed"],
            f"{r['welcome_all_s']:.2f} s",
            f"{1000 * r['welcome_p50_s']:.0f} / {1000 * r['welcome_p99_s']:.0f}",
            round(r["cpu_ms_per_connection"], 2),
            f"{r['rss_before_mib']:.0f} → {r['rss_after_mib']:.0f} (peak {r['rss_peak_mib']:.0f})",
            round(r["kib_per_connection"], 1),
            r["failed"],
        ]
        for r in results
    ]
    return table(
        [
            "server",
            "N",
            "welcomed",
            "all welcomed after",
            "p50 / p99 ms",
            "CPU ms/connection",
            "RSS MiB",
            "KiB/connection",
            "failed",
        ],
        rows,
    )


def failover_table(results: list[dict[str, Any]]) -> str:
    rows = [
        [
            r["server"],
            r["connected"],
            r["back"],
            f"{r['noticed_all_s']:.2f} s",
            f"{r['back_all_s']:.2f} s",
            f"{1000 * r['back_p50_s']:.0f} / {1000 * r['back_p99_s']:.0f}",
            round(r["cpu_ms_per_connection"], 2),
            r["failed"],
        ]
        for r in results
    ]
    return table(
        [
            "server",
            "viewers on the killed process",
            "back on the other",
            "all noticed after",
            "all back after",
            "p50 / p99 ms",
            "CPU ms/connection (2nd)",
            "failed",
        ],
        rows,
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=("konsens", "reference"), required=True)
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--pid", type=int, action="append", required=True)
    parser.add_argument("--viewers", type=int, default=5000)
    parser.add_argument("--scenario", choices=("storm", "failover"), default="storm")
    parser.add_argument("--profile", help="py-spy the (second) server into this file")
    parser.add_argument(
        "--in-flight", type=int, default=0, help="storm: handshakes in flight (0: all at once)"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    _raise_file_limit()
    outcome = asyncio.run(load_main(parse_args()))
    json.dump(outcome, sys.stdout)
    sys.stdout.write("\n")
