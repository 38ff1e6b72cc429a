from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.factories import Room, make_room

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def services_missing() -> str | None:
    """Why tests marked ``services`` cannot run here, or None when they can: they need the
    real PostgreSQL (DATABASE_URL=postgres://…) and Redis (REDIS_URL=redis://…). CI's second
    pass sets both; its first pass (embedded defaults) skips these tests by design."""
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith(("postgres://", "postgresql://", "pgsql://")):
        return "needs DATABASE_URL=postgres://… (real PostgreSQL); the embedded SQLite is in use"
    if not os.environ.get("REDIS_URL"):
        return "needs REDIS_URL=redis://… (real Redis); the in-memory channel layer is in use"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("services") is not None:
        reason = services_missing()
        if reason:
            pytest.skip(f"services test skipped: {reason}")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """A SQLite test database of this run's own: two test runs on one machine (two
    developers' checkouts, a run beside CI) would otherwise share ``var/*-test.sqlite3`` and
    corrupt each other's data."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    name = database.get("TEST", {}).get("NAME")
    if database["ENGINE"].endswith("sqlite3") and name:
        path = Path(name)
        database["TEST"]["NAME"] = str(path.with_name(f"{path.stem}-{os.getpid()}{path.suffix}"))


@pytest.fixture(autouse=True)
def _tasks_run_in_process() -> None:
    """Celery tasks run in the test's own process, in CI's second pass too, whose REDIS_URL
    would otherwise send them to a broker that no worker reads. tests/notifications'
    ``services`` test starts a real worker and turns this off for itself."""
    from config.celery import app

    # Set for every test: Celery loads its configuration from the Django settings lazily, and
    # a value set once at the start of the session did not survive that.
    app.conf.update(task_always_eager=True, CELERY_TASK_ALWAYS_EAGER=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Production hashing costs ~0.3 s a user; tests create hundreds. Logins still check."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def room(db: None) -> Room:
    return make_room()


@pytest.fixture
def private_room(db: None) -> Room:
    return make_room(is_public=False)
