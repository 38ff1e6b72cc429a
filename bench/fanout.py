"""Fan-out benchmark (issue 7): Konsens, the stock Channels pattern and a bare ``websockets``
broadcast server under the same load, in one run, on loopback.

    python -m bench.fanout                    # N = 100, 500, 1000, 2000; burst; disconnect
    python -m bench.fanout --with-5000        # also N = 5000 on one process
    python -m bench.fanout --two-process      # also Konsens, 5000 viewers over two processes
    python -m bench.fanout --viewers 1000 --servers konsens --scenarios steady   # a part

Servers (each a separate process, restarted for every measurement):

* **konsens**: ``python -m daphne config.asgi:application`` with DEBUG off, PostgreSQL
  (a dedicated database, migrated and seeded by ``bench.konsens``) and Redis
  (``RedisPubSubChannelLayer``); anonymous viewers with an allowed Origin, one expert posting
  through a single-use ticket.
* **stock**: ``bench.stock_channels`` under Daphne, ``channels_redis.core.RedisChannelLayer``.
* **reference**: ``bench.ws_reference`` (``websockets.broadcast``).

The load runs in a separate process (``bench.load``); see there for what is measured. Results
are printed as Markdown tables and written to ``--out`` (JSON and Markdown).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import redis

from bench import konsens, storm
from bench.common import (
    PYTHON,
    ROOT,
    Server,
    dump,
    free_port,
    load_average,
    machine_info,
    start_server,
    stop_server,
    table,
)

SERVERS = ("konsens", "konsens-uvicorn", "stock", "reference")
KONSENS = ("konsens", "konsens-uvicorn")
DEFAULT_APP = "config.asgi:application"
LABELS = {
    "konsens": "Konsens, Daphne",
    "konsens-uvicorn": "Konsens, uvicorn",
    "stock": "stock Channels, Daphne",
    "reference": "websockets reference",
}
# uvicorn exactly as the image (and so the compose file) runs it: the Dockerfile's CMD without
# host, port, graceful-shutdown timeout and application; access log off, as for Daphne.
UVICORN_OPTIONS = konsens.image_uvicorn_options()


def uvicorn_options(ws: str | None) -> list[str]:
    """The image's options, with another WebSocket implementation for comparison."""
    if not ws:
        return UVICORN_OPTIONS
    return [f"--ws={ws}" if o.startswith("--ws=") else o for o in UVICORN_OPTIONS]


# The Konsens servers' KONSENS_VAR_DIR (collected static files), shared by all runs.
KONSENS_VAR = ROOT / "var" / "bench" / "konsens-var"
STOCK_PREFIX = "bench.stock"
SETTLE_DEADLINE = 30.0  # seconds for a server to forget 1,000 departed viewers
# The last line of a traceback in a server log: "redis.exceptions.MaxConnectionsError: ...".
EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Full|Timeout))(?::|$)")
# Exceptions raised by the channel layer or its Redis client.
CHANNEL_LAYER_ERROR = re.compile(r"^(redis\.|channels_redis\.|.*ChannelFull)")


@dataclass
class Bench:
    args: argparse.Namespace
    seed: konsens.Seed
    log_dir: Path
    redis: redis.Redis

    # --- servers --------------------------------------------------------------------------

    def start(self, kind: str, name: str | None = None) -> Server:
        port = free_port()
        name = name or kind
        log_dir = self.log_dir
        if kind in KONSENS:
            konsens.close_connections()
            env = konsens.server_env(
                self.args.database_url,
                self.args.redis_url,
                self.var_dir,
                pool=self.args.pool,
                # The viewers' Origin (DEBUG off allows only https:// origins of ALLOWED_HOSTS).
                WEBSOCKET_ALLOWED_ORIGINS=f"http://127.0.0.1:{port}",
            )
            if kind == "konsens-uvicorn":
                command = [
                    PYTHON,
                    "-m",
                    "uvicorn",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    *uvicorn_options(self.args.uvicorn_ws),
                    self.args.konsens_app,
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
                    self.args.konsens_app,
                ]
            return start_server(
                name,
                command,
                port=port,
                env=env,
                log_dir=log_dir,
                ws_path=f"/ws/rooms/{self.seed.slug}/",
                ready_path="/healthz",
            )
        if kind == "stock":
            for key in self.redis.scan_iter(f"{STOCK_PREFIX}*"):
                self.redis.delete(key)
            env = {**_base_env(), "BENCH_REDIS_URL": self.args.redis_url}
            command = [
                PYTHON,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "bench.stock_channels:application",
            ]
            return start_server(
                name,
                command,
                port=port,
                env=env,
                log_dir=log_dir,
                ws_path="/ws/stock/",
                ready_path=None,
            )
        command = [PYTHON, "-m", "bench.ws_reference", "--port", str(port)]
        return start_server(
            name,
            command,
            port=port,
            env=_base_env(),
            log_dir=log_dir,
            ws_path="/",
            ready_path="/stats",
        )

    @property
    def var_dir(self) -> Path:
        return KONSENS_VAR

    def label(self, kind: str) -> str:
        label = LABELS[kind]
        if kind in KONSENS and self.args.konsens_app != DEFAULT_APP:
            label += f" ({self.args.konsens_app})"
        if kind == "konsens-uvicorn" and self.args.uvicorn_ws:
            label += f" --ws={self.args.uvicorn_ws}"
        return label

    # --- one measurement ------------------------------------------------------------------

    def measure(
        self,
        kind: str,
        viewers: int,
        *,
        comments: int,
        rate: float,
        scenario: str = "steady",
        processes: int = 1,
    ) -> dict[str, Any]:
        if kind in KONSENS:
            konsens.reset_room(self.seed)
        label = f"{kind}-{scenario}-{viewers}" + (f"-x{processes}" if processes > 1 else "")
        servers = [self.start(kind, f"{label}-{i}") for i in range(processes)]
        try:
            command = [
                PYTHON,
                "-m",
                "bench.load",
                "--kind",
                "konsens" if kind in KONSENS else kind,
                "--viewers",
                str(viewers),
                "--comments",
                str(comments),
                "--rate",
                str(rate),
                "--scenario",
                scenario,
                "--drain",
                str(self.args.drain),
                "--procs",
                str(self.args.load_procs),
            ]
            for server in servers:
                command += ["--url", server.ws, "--pid", str(server.pid)]
            if self.args.profile:
                command += ["--profile", str(Path(self.args.out) / "profiles" / label)]
                (Path(self.args.out) / "profiles").mkdir(parents=True, exist_ok=True)
            if kind in KONSENS:
                command += [
                    "--http",
                    servers[0].http,
                    "--token",
                    self.seed.tokens[0],
                    "--slug",
                    self.seed.slug,
                    "--goal",
                    str(self.seed.goal_id),
                ]
            started = time.monotonic()
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"load process failed for {label}:\n{done.stderr[-4000:]}")
            result: dict[str, Any] = json.loads(done.stdout)
            result["label"] = label
            result["kind"] = kind
            result["server"] = self.label(kind)
            result["processes"] = processes
            result["wall_s"] = time.monotonic() - started
            if scenario == "disconnect":
                result.update(self.after_disconnect(kind, servers))
            result.update(exceptions_in("\n".join(server.log_text() for server in servers)))
            return result
        finally:
            for server in servers:
                stop_server(server)

    def after_disconnect(self, kind: str, servers: list[Server]) -> dict[str, Any]:
        """After every viewer left at once: is anybody left behind? Polled with a deadline,
        since the servers work through the departures after the sockets are closed."""
        deadline = time.monotonic() + SETTLE_DEADLINE
        while True:
            left = self.left_behind(kind, servers)
            if not any(left.values()) or time.monotonic() > deadline:
                left["settle_s"] = SETTLE_DEADLINE - max(0.0, deadline - time.monotonic())
                return left
            time.sleep(0.5)

    def left_behind(self, kind: str, servers: list[Server]) -> dict[str, Any]:
        if kind == "stock":
            return {"group_members_left": int(self.redis.zcard(f"{STOCK_PREFIX}:group:bench"))}
        if kind == "reference":
            import urllib.request

            with urllib.request.urlopen(f"{servers[0].http}/stats", timeout=5) as response:  # noqa: S310
                return {"sockets_left": json.load(response)["open"]}
        prefix = f"konsens.db{self.args.redis_url.rsplit('/', 1)[-1] or '0'}."
        channel = f"{prefix}__group__room.{self.seed.circle_id}"
        subscribers = dict(self.redis.pubsub_numsub(channel)).get(channel.encode(), 0)
        reports = konsens.presence_rows(self.seed)
        konsens.close_connections()
        return {
            "room_subscriptions_left": int(subscribers),
            "presence_reports_left": len(reports),
            "presence_sockets_left": sum(r["anonymous"] + len(r["members"]) for r in reports),
        }


def exceptions_in(log: str) -> dict[str, Any]:
    """Count the exceptions a server logged, by type; those of the channel layer apart."""
    types: dict[str, int] = {}
    for line in log.splitlines():
        match = EXCEPTION_LINE.match(line)
        if match:
            types[match[1]] = types.get(match[1], 0) + 1
    return {
        "exceptions": types,
        "log_errors": sum(types.values()),
        "channel_layer_errors": sum(n for t, n in types.items() if CHANNEL_LAYER_ERROR.match(t)),
    }


def _base_env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONUNBUFFERED": "1"}


# --- reporting ------------------------------------------------------------------------------


def steady_table(results: list[dict[str, Any]]) -> str:
    rows = []
    for r in results:
        rows.append(
            [
                r["server"] + (f" ×{r['processes']}" if r["processes"] > 1 else ""),
                r["viewers"],
                f"{r['connect_p50_ms']:.0f} / {r['connect_p99_ms']:.0f} / "
                f"{r['connect_total_s']:.1f} s",
                round(r["latency_p50_ms"], 1),
                round(r["latency_p95_ms"], 1),
                round(r["latency_p99_ms"], 1),
                round(r["latency_max_ms"], 1),
                f"{100 * r['delivered_fraction']:.2f} %",
                round(r["cpu_us_per_frame"], 1),
                round(r["server_peak_rss_mib"]),
                f"{r['resumes']}/{r['reconnects']}",
            ]
        )
    return table(
        [
            "server",
            "N",
            "connect p50/p99 ms / total",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "delivered",
            "CPU µs/frame",
            "peak RSS MiB",
            "resumes/reconnects",
        ],
        rows,
    )


def ratio_table(results: list[dict[str, Any]]) -> str:
    by = {(r["kind"], r["viewers"]): r for r in results if r["processes"] == 1}
    rows = []
    for (kind, viewers), r in sorted(by.items(), key=lambda x: (x[0][1], x[0][0])):
        if kind not in KONSENS:
            continue
        stock, reference = by.get(("stock", viewers)), by.get(("reference", viewers))
        k = r["cpu_us_per_frame"]
        rows.append(
            [
                r["server"],
                viewers,
                round(k, 1),
                round(stock["cpu_us_per_frame"], 1) if stock else None,
                round(reference["cpu_us_per_frame"], 1) if reference else None,
                f"{stock['cpu_us_per_frame'] / k:.1f}× less" if stock and k else None,
                f"{k / reference['cpu_us_per_frame']:.1f}× more" if reference else None,
            ]
        )
    return table(
        [
            "Konsens",
            "N",
            "Konsens µs/frame",
            "stock µs/frame",
            "reference µs/frame",
            "Konsens vs stock",
            "Konsens vs reference",
        ],
        rows,
    )


def fit_table(results: list[dict[str, Any]]) -> str:
    """Server CPU per comment = fixed + marginal × N (least squares over the steady runs):
    the marginal part is the fan-out cost per delivered frame without the per-comment work
    (for Konsens: the command, its transaction, rendering, the publish)."""
    rows = []
    for server in dict.fromkeys(r["server"] for r in results):
        # 500 ≤ N ≤ 2,000: below, the CPU clock's 10 ms ticks are coarse; above, some servers
        # are past saturation.
        points = [
            (r["viewers"], r["server_cpu_s"] / r["comments"])
            for r in results
            if r["server"] == server and r["processes"] == 1 and 500 <= r["viewers"] <= 2000
        ]
        if len(points) < 2:
            continue
        n = len(points)
        mx = sum(x for x, _ in points) / n
        my = sum(y for _, y in points) / n
        sxx = sum((x - mx) ** 2 for x, _ in points)
        slope = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else float("nan")
        rows.append([server, round(slope * 1e6, 1), round((my - slope * mx) * 1e3, 2)])
    return table(["server", "marginal µs per delivered frame", "fixed ms per comment"], rows)


def disconnect_table(results: list[dict[str, Any]]) -> str:
    rows = []
    for r in results:
        left = {
            k: v
            for k, v in r.items()
            if k.endswith("_left") or k in ("group_members_left", "sockets_left")
        }
        rows.append(
            [
                r["server"],
                r["viewers"],
                f"{r['close_wall_s']:.2f} s",
                r["channel_layer_errors"],
                ", ".join(f"{n} {t}" for t, n in r["exceptions"].items()) or 0,
                ", ".join(f"{k} = {v}" for k, v in left.items()),
                f"{r.get('settle_s', 0):.1f} s",
            ]
        )
    return table(
        [
            "server",
            "viewers",
            "close (client)",
            "channel-layer errors",
            "error lines in log",
            "left behind",
            "settled after",
        ],
        rows,
    )


def targets(results: dict[str, list[dict[str, Any]]]) -> str:
    steady = {(r["kind"], r["viewers"], r["processes"]): r for r in results["steady"]}
    rows: list[list[Any]] = []

    def check(kind: str, name: str, value: str, ok: bool) -> None:
        rows.append([LABELS[kind], name, value, "met" if ok else "MISSED"])

    def delivery(r: dict[str, Any], limit: float) -> tuple[str, bool]:
        value = f"p99 {r['latency_p99_ms']:.0f} ms, {100 * r['delivered_fraction']:.2f} %"
        return value, r["latency_p99_ms"] <= limit and r["delivered_fraction"] == 1

    for kind in KONSENS:
        for n, most in ((1000, 25), (2000, 20)):  # issue 17 (issue 7: 40 µs)
            k, s = steady.get((kind, n, 1)), steady.get(("stock", n, 1))
            if k:
                us = k["cpu_us_per_frame"]
                check(kind, f"≤ {most} µs CPU per frame, one process, N={n}", f"{us:.1f} µs",
                      us <= most)  # fmt: skip
            if k and s:
                ratio = s["cpu_us_per_frame"] / k["cpu_us_per_frame"]
                check(kind, f"≥ 5× less CPU than stock, N={n}", f"{ratio:.1f}×", ratio >= 5)
        for n, limit in ((1000, 150), (2000, 250)):
            k = steady.get((kind, n, 1))
            if k:
                check(
                    kind, f"N={n} at {k['rate']:g}/s: p99 ≤ {limit} ms, 100 %", *delivery(k, limit)
                )
        for r in results["steady"]:
            if r["kind"] == kind and r["processes"] == 2:
                check(kind, f"N={r['viewers']} over two processes: p99 ≤ 250 ms, 100 %",
                      *delivery(r, 250))  # fmt: skip
        for r in results["burst"]:
            if r["kind"] == kind:
                name = (
                    f"burst {r['rate']:g}/s for {r['comments'] / r['rate']:g} s to {r['viewers']}"
                )
                check(kind, f"{name}: p99 ≤ 250 ms, 100 %", *delivery(r, 250))
        for r in results["disconnect"]:
            if r["kind"] == kind:
                left = r.get("room_subscriptions_left", 0) + r.get("presence_sockets_left", 0)
                check(
                    kind,
                    f"{r['viewers']} leave at once: no channel-layer error, nobody left behind",
                    f"{r['channel_layer_errors']} errors, {left} left",
                    r["channel_layer_errors"] == 0 and left == 0,
                )
        for r in results["storm"]:
            if r["kind"] == kind:
                ok = r["welcome_all_s"] <= 5 and r["failed"] == 0 and r["viewers"] >= 5000
                check(kind, f"{r['viewers']} viewers at once: all welcomed ≤ 5 s",
                      f"{r['welcome_all_s']:.2f} s, {r['failed']} failed", ok)  # fmt: skip
                kib = r["kib_per_connection"]
                check(kind, "memory ≤ 20 KB per connection", f"{kib:.1f} KiB", kib * 1024 <= 20e3)
    return table(["server", "target", "measured", ""], rows)


def report(results: dict[str, list[dict[str, Any]]], info: dict[str, Any], command: str) -> str:
    parts = [
        f"Command: `{command}`  ",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, "
        f"Linux {info['kernel']}, Python {info['python']}  ",
        "Packages: " + ", ".join(f"{k} {v}" for k, v in info["packages"].items()) + "  ",
        f"Load average (1/5/15 min) at start: {info['load_average']}, "
        f"at end: {info['load_average_end']}",
    ]
    if results["steady"]:
        parts += [
            "",
            f"### Steady: {results['steady'][0]['comments']} comments at "
            f"{results['steady'][0]['rate']:g}/s",
            "",
            steady_table(results["steady"]),
            "",
            ratio_table(results["steady"]),
            "",
            fit_table(results["steady"]),
        ]
    if results["burst"]:
        b = results["burst"][0]
        parts += [
            "",
            f"### Burst: {b['comments']} comments at {b['rate']:g}/s to {b['viewers']} viewers",
            "",
            steady_table(results["burst"]),
        ]
    if results["disconnect"]:
        parts += ["", "### Mass disconnect", "", disconnect_table(results["disconnect"])]
    if results["storm"]:
        parts += ["", "### Connection storm", "", storm.storm_table(results["storm"])]
    if results["failover"]:
        parts += ["", "### A process killed", "", storm.failover_table(results["failover"])]
    parts += ["", "### Targets", "", targets(results)]
    return "\n".join(parts) + "\n"


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", default="100,500,1000,2000", help="comma-separated N")
    parser.add_argument("--with-5000", action="store_true", help="add N = 5000 (one process)")
    parser.add_argument(
        "--two-process", action="store_true", help="Konsens: 5000 viewers over two processes"
    )
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument(
        "--scenarios", default="steady,burst,disconnect", help="also: storm, failover"
    )
    parser.add_argument("--comments", type=int, default=30, help="comments per steady run")
    parser.add_argument("--rate", type=float, default=2.0, help="comments per second")
    parser.add_argument("--burst-viewers", type=int, default=500)
    parser.add_argument("--burst-rate", type=float, default=20.0)
    parser.add_argument("--burst-seconds", type=float, default=10.0)
    parser.add_argument("--disconnect-viewers", type=int, default=1000)
    parser.add_argument(
        "--storm-viewers", type=int, default=5000, help="viewers of the storm and failover"
    )
    parser.add_argument(
        "--storm-in-flight", type=int, default=0, help="storm handshakes in flight (0: all)"
    )
    parser.add_argument(
        "--browser-deflate",
        action="store_true",
        help="storm viewers offer permessage-deflate, as browsers do (the server decides)",
    )
    parser.add_argument("--drain", type=float, default=20.0)
    parser.add_argument("--load-procs", type=int, default=0, help="0: one per 2,500 viewers")
    parser.add_argument(
        "--profile", action="store_true", help="py-spy every server (adds sampling overhead)"
    )
    parser.add_argument(
        "--konsens-app", default=DEFAULT_APP, help="Konsens ASGI app (for experiments)"
    )
    parser.add_argument(
        "--uvicorn-ws",
        choices=("websockets", "websockets-sansio", "wsproto"),
        help="uvicorn's WebSocket implementation instead of the image's (for comparison)",
    )
    parser.add_argument(
        "--pool", action="store_true", help="Konsens with psycopg's connection pool"
    )
    parser.add_argument("--database-url", default=konsens.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=konsens.DEFAULT_REDIS_URL)
    parser.add_argument(
        "--out",
        default=str(ROOT / "var" / "bench" / datetime.now().strftime("fanout-%Y%m%d-%H%M%S")),
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.browser_deflate:
        os.environ[storm.BROWSER_DEFLATE] = "1"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    info = machine_info()
    print(f"# fan-out benchmark: load average {info['load_average']}; logs in {out}", flush=True)
    seed = konsens.prepare(args.database_url, args.redis_url, KONSENS_VAR)
    bench = Bench(
        args=args, seed=seed, log_dir=out / "logs", redis=redis.Redis.from_url(args.redis_url)
    )
    servers = [s for s in args.servers.split(",") if s]
    scenarios = {s for s in args.scenarios.split(",") if s}
    viewers = [int(n) for n in args.viewers.split(",") if n]
    if args.with_5000:
        viewers.append(5000)
    results: dict[str, list[dict[str, Any]]] = {
        "steady": [],
        "burst": [],
        "disconnect": [],
        "storm": [],
        "failover": [],
    }

    def run(bucket: str, kind: str, n: int, **options: Any) -> None:
        print(f"- {bucket} {kind} N={n} {options or ''} (load {load_average()})", flush=True)
        result = bench.measure(kind, n, **options)
        results[bucket].append(result)
        print(
            f"  p50 {result['latency_p50_ms']:.1f} ms, p99 {result['latency_p99_ms']:.1f} ms, "
            f"delivered {100 * result['delivered_fraction']:.2f} %, "
            f"{result['cpu_us_per_frame']:.1f} µs/frame, load procs {result['load_procs']} "
            f"at {100 * result['load_cpu_share']:.0f} % CPU",
            flush=True,
        )
        dump(out / "results.json", {"machine": info, "results": results})

    if "steady" in scenarios:
        for kind in servers:
            for n in viewers:
                run("steady", kind, n, comments=args.comments, rate=args.rate)
        if args.two_process:
            for kind in servers:
                if kind in KONSENS:
                    run("steady", kind, 5000, comments=args.comments, rate=args.rate, processes=2)
    if "burst" in scenarios:
        for kind in servers:
            run(
                "burst",
                kind,
                args.burst_viewers,
                comments=round(args.burst_rate * args.burst_seconds),
                rate=args.burst_rate,
            )
    if "disconnect" in scenarios:
        for kind in servers:
            run(
                "disconnect",
                kind,
                args.disconnect_viewers,
                comments=4,
                rate=2,
                scenario="disconnect",
            )

    for scenario in ("storm", "failover"):
        if scenario in scenarios:
            for kind in servers:
                if kind == "stock":
                    continue  # no welcome to wait for, no resume: nothing comparable
                print(f"- {scenario} {kind} N={args.storm_viewers} (load {load_average()})")
                result = storm.measure(bench, kind, args.storm_viewers, scenario)
                results[scenario].append(result)
                print(f"  {json.dumps(result)[:400]}", flush=True)
                dump(out / "results.json", {"machine": info, "results": results})

    info["load_average_end"] = load_average()
    command = "python -m bench.fanout " + " ".join(sys.argv[1:])
    text = report(results, info, command.strip())
    (out / "report.md").write_text(text)
    dump(out / "results.json", {"machine": info, "results": results})
    print()
    print(text)


if __name__ == "__main__":
    main()
