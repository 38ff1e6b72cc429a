"""Error reporting: the Sentry SDK is set up only when SENTRY_DSN is set, then with the
Django integration, no personal data, and the environment and release from the settings.
Each case is a fresh process, as a deployment starts."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

from tests.config.test_settings import run

ROOT = Path(__file__).resolve().parents[2]
REPORT = (
    "import django, json, sys; django.setup(); import sentry_sdk;"
    "client = sentry_sdk.get_client();"
    "print(json.dumps({'active': client.is_active(),"
    " 'options': {k: client.options.get(k) for k in"
    " ('send_default_pii', 'environment', 'release', 'traces_sample_rate')} if client.is_active()"
    " else None, 'integrations': sorted(getattr(client, 'integrations', {}))}))"
)


def report(tmp_path: Path, **env: str) -> dict[str, object]:
    result = run(tmp_path, "-c", REPORT, **env)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_nothing_is_initialised_without_a_dsn(tmp_path: Path) -> None:
    state = report(tmp_path)
    assert state["active"] is False
    assert state["integrations"] == []


def test_the_sdk_is_not_even_imported_without_a_dsn(tmp_path: Path) -> None:
    script = "import django, sys; django.setup(); print('sentry_sdk' in sys.modules)"
    result = run(tmp_path, "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_a_dsn_turns_on_django_reporting_without_personal_data(tmp_path: Path) -> None:
    state = report(
        tmp_path,
        SENTRY_DSN="https://public@errors.example.invalid/1",
        SENTRY_ENVIRONMENT="staging",
        SENTRY_RELEASE="konsens@test",
    )
    assert state["active"] is True
    assert state["options"] == {
        "send_default_pii": False,
        "environment": "staging",
        "release": "konsens@test",
        "traces_sample_rate": 0.0,
    }
    assert "django" in state["integrations"]  # type: ignore[operator]


def test_a_bad_trace_rate_is_refused(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "-c",
        "import django; django.setup()",
        SENTRY_DSN="https://public@errors.example.invalid/1",
        SENTRY_TRACES_SAMPLE_RATE="viel",
    )
    assert result.returncode != 0
    assert "SENTRY_TRACES_SAMPLE_RATE" in result.stderr


def test_the_release_defaults_to_the_installed_version() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from config import reporting; print(reporting.release())"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == importlib.metadata.version("konsens")
