"""HTTP benchmark (issues 7 and 17): requests per second and latency of the public concept page
and the read-only API under concurrent load, against Konsens on PostgreSQL (DEBUG off).

    python -m bench.http --pool                # Daphne and uvicorn, 16 clients, 10 s per URL
    python -m bench.http --servers konsens-uvicorn --concurrency 32 --seconds 20

The bench database (``bench.konsens``: the demo concept plus comments) is created and seeded
first. The client is ``httpx`` (asyncio) in this process; the server is a separate process
whose CPU time per request is read from ``/proc``. Each URL gets a short warm-up, then
``--concurrency`` clients request it back to back for ``--seconds``.

Each server kind runs twice, with the same settings (``bench.http_settings``: production's
plus one bench-only route): with the page cache off (``PAGE_CACHE=0``: every request
rendered) and on (``PAGE_CACHE=1``: the anonymous page cache answers). The first run also
measures ``/bench/fixed/``, a view that returns a fixed byte string through the same server,
ASGI handler and middleware: the ceiling of that server, the reference in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from bench import konsens
from bench.common import (
    PYTHON,
    ROOT,
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
from bench.fanout import KONSENS_VAR, LABELS, UVICORN_OPTIONS

FIXED = "/bench/fixed/"  # bench.http_urls: the server's own ceiling
PATHS = {  # per page-cache mode: the URLs measured
    "off": (FIXED, "/", "/api/v1/goals/", "/api/v1/action-fields/"),
    "on": ("/", "/api/v1/goals/"),
}
COMMENTS = 200  # comments on the bench goal, so the data is not empty


async def hammer(
    base: str, path: str, *, concurrency: int, seconds: float, pid: int
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        # Warm-up: templates compiled, connections open.
        for _ in range(concurrency):
            (await client.get(path)).raise_for_status()
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        stop_at = time.monotonic() + seconds

        async def worker() -> None:
            while time.monotonic() < stop_at:
                started = time.monotonic()
                response = await client.get(path)
                latencies.append(time.monotonic() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        cpu_before, started = cpu_seconds(pid), time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall, cpu = time.monotonic() - started, cpu_seconds(pid) - cpu_before
    return {
        "path": path,
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": max(latencies) * 1000,
        "errors": sum(n for status, n in statuses.items() if status != 200),
        "statuses": statuses,
        "cpu_ms_per_request": cpu / len(latencies) * 1000,
    }


def seed_comments(seed: konsens.Seed) -> None:
    from django.contrib.auth import get_user_model

    from deliberation import services
    from deliberation.models import Circle, Comment

    circle = Circle.objects.get(pk=seed.circle_id)
    author = get_user_model().objects.get(pk=seed.user_ids[0])
    for n in range(Comment.objects.filter(circle=circle).count(), COMMENTS):
        services.comment_post(
            actor=author,
            circle=circle,
            goal_id=seed.goal_id,
            body=f"Kommentar {n} mit **Markdown** und einem [Link](https://example.org/).",
            client_key=f"http-{n}",
        )


def server_command(kind: str, port: int) -> list[str]:
    if kind == "konsens-uvicorn":
        return [
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
    return [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]


def measure(
    kind: str, cache: str, env: dict[str, str], args: argparse.Namespace, out: Path
) -> list[dict[str, Any]]:
    port = free_port()
    server = start_server(
        f"http-{kind}-cache-{cache}",
        server_command(kind, port),
        port=port,
        env=env,
        log_dir=out / "logs",
        ws_path="/",
        ready_path="/healthz",
    )
    results = []
    try:
        for path in PATHS[cache]:
            print(f"- {kind}, page cache {cache}, {path} (load {load_average()})", flush=True)
            result = asyncio.run(
                hammer(
                    server.http,
                    path,
                    concurrency=args.concurrency,
                    seconds=args.seconds,
                    pid=server.pid,
                )
            )
            result["server"] = LABELS[kind]
            result["cache"] = cache
            results.append(result)
            print(f"  {result['rps']:.0f} req/s, p99 {result['p99_ms']:.0f} ms", flush=True)
    finally:
        stop_server(server)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--servers",
        default="konsens,konsens-uvicorn",
        help="comma-separated: konsens (Daphne), konsens-uvicorn (the image's server)",
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pool", action="store_true", help="psycopg connection pool")
    parser.add_argument("--database-url", default=konsens.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=konsens.DEFAULT_REDIS_URL)
    parser.add_argument(
        "--out",
        default=str(ROOT / "var" / "bench" / datetime.now().strftime("http-%Y%m%d-%H%M%S")),
    )
    args = parser.parse_args(argv)
    unknown = set(args.servers.split(",")) - {"konsens", "konsens-uvicorn"}
    if unknown:
        parser.error(f"unknown servers: {', '.join(sorted(unknown))} (konsens, konsens-uvicorn)")
    out = Path(args.out)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    info = machine_info()
    print(f"# HTTP benchmark: load average {info['load_average']}", flush=True)
    seed = konsens.prepare(args.database_url, args.redis_url, KONSENS_VAR)
    seed_comments(seed)
    konsens.close_connections()
    results = []
    for kind in args.servers.split(","):
        for cache in ("off", "on"):
            env = konsens.server_env(
                args.database_url,
                args.redis_url,
                KONSENS_VAR,
                pool=args.pool,
                DJANGO_SETTINGS_MODULE="bench.http_settings",
                PAGE_CACHE="1" if cache == "on" else "0",
            )
            results += measure(kind, cache, env, args, out)
    info["load_average_end"] = load_average()
    text = "\n".join(
        [
            f"Command: `python -m bench.http {' '.join(sys.argv[1:])}`".replace("  ", " ") + "  ",
            f"Machine: {info['cpu']}, {info['cores']} cores; load average at start "
            f"{info['load_average']}, at end {info['load_average_end']}  ",
            f"{args.concurrency} concurrent clients (httpx, keep-alive), {args.seconds:g} s per "
            "URL after a warm-up; DEBUG off, PostgreSQL "
            + ("with psycopg's connection pool" if args.pool else f"(`{args.database_url}`)"),
            "",
            table(
                [
                    "server",
                    "page cache",
                    "URL",
                    "requests/s",
                    "p50 ms",
                    "p99 ms",
                    "max ms",
                    "errors",
                    "server CPU ms/request",
                ],
                [
                    [
                        r["server"],
                        r["cache"],
                        f"`{r['path']}`" + (" (fixed bytes)" if r["path"] == FIXED else ""),
                        round(r["rps"]),
                        r["p50_ms"],
                        r["p99_ms"],
                        r["max_ms"],
                        r["errors"],
                        r["cpu_ms_per_request"],
                    ]
                    for r in results
                ],
            ),
        ]
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(text + "\n")
    dump(out / "results.json", {"machine": info, "results": results})
    print()
    print(text)


if __name__ == "__main__":
    main()
