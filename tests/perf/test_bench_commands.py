"""``bench/commands.py`` keeps running (issue 17): a tiny run of every scenario against its own
PostgreSQL database and Redis. Nothing is timed here; the figures are the benchmark's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bench.commands import SCENARIOS
from bench.common import ROOT

pytestmark = pytest.mark.services


def _bench_database(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.strip("/") or "konsens"
    return urlunsplit(parts._replace(path=f"/{name}_bench_commands", query=""))


def test_the_command_benchmark_runs_every_scenario(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.commands",
            "--commands",
            "5",
            "--warmup",
            "1",
            "--viewers",
            "2",
            "--database-url",
            _bench_database(os.environ["DATABASE_URL"]),
            "--redis-url",
            os.environ["REDIS_URL"],
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads((out / "results.json").read_text())["summary"]
    assert [row["scenario"] for row in summary] == list(SCENARIOS)
    for row in summary:
        assert row["commands"] == 5
        assert row["cpu_ms"] >= 0
    queries = {row["scenario"]: row["queries"] for row in summary}
    assert all(
        queries[name] > 0 for name in ("comment.post", "hand.raise", "rating.set", "ballot.cast")
    )
    assert "| comment.post" in (out / "report.md").read_text()
