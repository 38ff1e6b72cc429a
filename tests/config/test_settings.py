"""Settings come from the environment and refuse bad values before anything starts.

Each case starts a fresh Python process with a crafted environment, the way a deployment
starts: the test process's own settings are never touched.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
LONG_SECRET = "k" + secrets.token_urlsafe(60)
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": LONG_SECRET,
    "ALLOWED_HOSTS": "konsens.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://konsens.example.org",
    # `check` does not connect unless a check needs the database.
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/konsens_check",
    # A production installation names its mail server (notifications.W001 warns otherwise).
    "EMAIL_URL": "smtp://mail.example.org:587",
}


def _settings_variables() -> set[str]:
    """Every variable name the settings read through the helpers in config/env.py."""
    source = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env_\w+\(\s*"([A-Z][A-Z0-9_]*)"', source))
    return names | {f"{name}_FILE" for name in re.findall(r'env_secret\("([A-Z_]+)"', source)}


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run Python in the project with only ``env`` on top of a clean environment."""
    clean = {k: v for k, v in os.environ.items() if k not in _settings_variables()}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean |= {"DJANGO_SETTINGS_MODULE": "config.settings", "KONSENS_VAR_DIR": str(tmp_path)}
    clean |= env
    return subprocess.run(
        [sys.executable, *(args or ("-c", SETUP))],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The message of the ImproperlyConfigured the process died with."""
    assert result.returncode != 0, result.stdout
    last = result.stderr.strip().splitlines()[-1]
    prefix = "django.core.exceptions.ImproperlyConfigured: "
    assert last.startswith(prefix), result.stderr
    return last.removeprefix(prefix)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DEBUG": "maybe"},
            "DEBUG='maybe' is not a boolean; use one of 1/0, true/false, yes/no, on/off.",
        ),
        (
            {"DATABASE_URL": "mysql://x/y"},
            "DATABASE_URL='mysql://x/y': unsupported scheme 'mysql'; use sqlite:///",
        ),
        (
            {"DATABASE_URL": "postgres://host"},
            "DATABASE_URL='postgres://host' names no database; "
            "use postgres://USER:PASSWORD@HOST:PORT/NAME.",
        ),
        (
            {"DATABASE_URL": "postgres://konsens:hunter22@host"},
            "DATABASE_URL='postgres://konsens:***@host' names no database;",
        ),
        (
            {"REDIS_URL": "http://x"},
            "REDIS_URL='http://x' is not a Redis URL with a host; use redis://HOST:PORT/DB",
        ),
        (
            {"ALLOWED_HOSTS": "konsens.example.org,,www.konsens.example.org"},
            "ALLOWED_HOSTS='konsens.example.org,,www.konsens.example.org' contains an empty "
            "entry; separate entries by single commas.",
        ),
        (
            {"ALLOWED_HOSTS": "https://konsens.example.org"},
            "ALLOWED_HOSTS entry 'https://konsens.example.org' is not a host name;",
        ),
        (
            {"CSRF_TRUSTED_ORIGINS": "example.org"},
            "CSRF_TRUSTED_ORIGINS entry 'example.org' is not an origin; it must start with "
            "http:// or https://",
        ),
        ({"ROOM_TICKET_TTL": "abc"}, "ROOM_TICKET_TTL='abc' is not an integer (e.g. 60)."),
        ({"ROOM_TICKET_TTL": "1"}, "ROOM_TICKET_TTL=1 must be at least 5."),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL='loud' is not one of DEBUG, INFO, WARNING, ERROR,"),
        (
            {"DEBUG": "0", "ALLOWED_HOSTS": "konsens.example.org"},
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off.",
        ),
        (
            {
                "DEBUG": "0",
                "ALLOWED_HOSTS": "konsens.example.org",
                "SECRET_KEY": "dev-insecure-konsens-secret-key-change-me",
            },
            "SECRET_KEY is the development default, which is public;",
        ),
        (
            {"DEBUG": "0", "ALLOWED_HOSTS": "konsens.example.org", "SECRET_KEY": "short"},
            "SECRET_KEY has 5 characters; use at least 50 random ones when DEBUG is off",
        ),
        (
            {"DEBUG": "0", "SECRET_KEY": LONG_SECRET},
            "ALLOWED_HOSTS must be set when DEBUG is off",
        ),
        (
            {"SECRET_KEY": LONG_SECRET, "SECRET_KEY_FILE": "/run/secrets/konsens"},
            "Set either SECRET_KEY or SECRET_KEY_FILE, not both.",
        ),
        (
            {"SECRET_KEY_FILE": "/nonexistent/konsens-secret"},
            "SECRET_KEY_FILE='/nonexistent/konsens-secret' cannot be read:",
        ),
    ],
    ids=lambda value: (
        "-".join(f"{k}={v[:20]}" for k, v in value.items()) if isinstance(value, dict) else ""
    ),
)
def test_bad_environment_is_refused_with_a_clear_message(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    assert refusal(run(tmp_path, **env)).startswith(message)


def test_a_password_in_a_bad_database_url_is_not_printed(tmp_path: Path) -> None:
    result = run(tmp_path, DATABASE_URL="postgres://konsens:hunter22@host")
    assert "hunter22" not in result.stderr + result.stdout


def test_secret_key_is_read_from_secret_key_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret_key"
    secret_file.write_text(LONG_SECRET + "\n", encoding="utf-8")
    code = SETUP.replace("print(settings.DEBUG)", "print(settings.SECRET_KEY)")
    result = run(
        tmp_path,
        "-c",
        code,
        **{**PRODUCTION, "SECRET_KEY": "", "SECRET_KEY_FILE": str(secret_file)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == LONG_SECRET


def test_embedded_defaults_start_without_any_variable(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "-c",
        SETUP + "; print(settings.DATABASES['default']['ENGINE']);"
        " print(settings.CHANNEL_LAYERS['default']['BACKEND'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
    ]


def test_redis_url_selects_channels_redis(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "-c",
        SETUP + "; print(settings.CHANNEL_LAYERS['default'])",
        REDIS_URL="redis://redis:6379/1",
    )
    assert result.returncode == 0, result.stderr
    assert "channels_redis" in result.stdout
    assert "redis://redis:6379/1" in result.stdout
    assert "'prefix': 'konsens.db1.'" in result.stdout


def test_check_deploy_is_clean_with_a_production_like_environment(tmp_path: Path) -> None:
    result = run(
        tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_env_example_documents_every_variable_the_settings_read() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    missing = _settings_variables() - documented
    assert not missing, f".env.example does not mention {sorted(missing)}"
