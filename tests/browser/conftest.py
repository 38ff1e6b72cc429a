"""Real-browser tests: Debian's Chromium driven by Playwright against Daphne serving the demo.

Follows ``shared/recipes/browser-tests.md``: Playwright cannot download its own browser here, so
tests launch ``/usr/bin/chromium`` with the networking flags that keep it quiet. Without that
binary the tests are skipped with a loud reason; under ``CI=true`` that is a failure.

The server under test is a real ``daphne`` process (HTTP and WebSockets as in production) on a
free port, over its own database: a SQLite file, or a dedicated PostgreSQL database when
``DATABASE_URL`` points at PostgreSQL. It is migrated and filled with ``load_demo`` once per
session, so tests share it: a test that changes data must not assume it is alone.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.browser.support import log_in
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
# Debian's chromium; KONSENS_CHROMIUM names another build of Chromium (e.g. chromium-browser).
CHROMIUM = Path(os.environ.get("KONSENS_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DAPHNE = [sys.executable, "-m", "daphne"]
STARTUP_TIMEOUT = 60.0  # seconds for Daphne to answer its first request


@pytest.hookimpl(trylast=True)  # after pytest-django has put the tests in Django's order
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last, after every other test of the session.

    Playwright's sync API keeps an event loop running on the main thread from its first use
    until the session ends. Tests that run after it would find that loop: pytest-asyncio could
    not start its own, and synchronous ORM calls would be refused as "async unsafe". Running
    the browser tests last lets both kinds share one ``pytest`` run."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        reason = (
            f"{CHROMIUM} is missing: browser tests need Debian's chromium "
            "(apt-get install chromium); Playwright cannot download its own browser here."
        )
        if IN_CI:
            pytest.fail(f"CI: {reason}", pytrace=False)
        pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], server: Server) -> dict[str, Any]:
    # A German browser (Playwright's default viewport: 1280x720). A test that wants another
    # locale says @pytest.mark.browser_context_args(locale="en-GB"); a phone passes
    # viewport=... to new_context().
    return {
        **browser_context_args,
        "base_url": server.url,
        "locale": "de-DE",
        "timezone_id": "Europe/Berlin",
    }


@pytest.fixture(scope="session")
def base_url(server: Server) -> str:
    return server.url


# --- the server under test ----------------------------------------------------------------


class Daphne:
    """The server process: started, stopped and started again on the same port (a deploy or a
    crash, as the pages of a live room see it)."""

    def __init__(self, *, env: dict[str, str], port: int, log: Path) -> None:
        self.env = env
        self.port = port
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        with self.log.open("ab") as log_file:
            self.proc = subprocess.Popen(
                [*DAPHNE, "-b", "127.0.0.1", "-p", str(self.port), "config.asgi:application"],
                cwd=ROOT,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        _wait_until_serving(self.proc, f"http://127.0.0.1:{self.port}/", self.log)

    def stop(self, *, kill: bool = False) -> None:
        """End the process: SIGTERM (and SIGKILL after 10 s), or at once with ``kill``."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if kill:
            proc.kill()
        else:
            proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass(frozen=True)
class Server:
    url: str
    log: Path
    daphne: Daphne | None = None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _is_postgres(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("postgres", "postgresql", "pgsql")


def _postgres_database(url: str) -> tuple[str, Callable[[], None]]:
    """A fresh database beside the one ``url`` names (``<name>_browser``), and its dropper."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'konsens'}_browser"
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))

    def run(statement: sql.Composed) -> None:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(statement)

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    run(drop)
    run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}")), lambda: run(drop)


def _manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}",
            pytrace=False,
        )


def _wait_until_serving(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Poll ``url`` until it answers 200; fail at once with the log if Daphne exits."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"Daphne exited with {proc.returncode} before serving:\n"
                f"{log.read_text(errors='replace')}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our server
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)  # readiness of an external process: poll with a deadline
    pytest.fail(
        f"Daphne did not answer {url} within {STARTUP_TIMEOUT:.0f} s:\n"
        f"{log.read_text(errors='replace')}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Daphne serving the migrated demo on a free port for the whole session."""
    workdir = tmp_path_factory.mktemp("browser-server")
    database_url = os.environ.get("DATABASE_URL", "")
    drop_database: Callable[[], None] = lambda: None  # noqa: E731
    if _is_postgres(database_url):
        database_url, drop_database = _postgres_database(database_url)
    else:
        database_url = f"sqlite:///{workdir / 'konsens.sqlite3'}"

    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        "KONSENS_VAR_DIR": str(workdir / "var"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
    }  # REDIS_URL passes through: set, the server uses Redis; unset, its in-memory layer
    env.pop("CSRF_TRUSTED_ORIGINS", None)
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "load_demo")

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = workdir / "daphne.log"
    daphne = Daphne(env=env, port=port, log=log)
    try:
        daphne.start()
        yield Server(url=url, log=log, daphne=daphne)
    finally:
        daphne.stop()
        drop_database()


@pytest.fixture
def daphne(server: Server) -> Iterator[Daphne]:
    """The session server's process, to stop and start on the same port during a test.

    Whatever the test leaves behind, the server serves again afterwards."""
    assert server.daphne is not None
    yield server.daphne
    if not server.daphne.running:
        server.daphne.start()


# --- people -------------------------------------------------------------------------------


@pytest.fixture
def user_page(new_context: Callable[..., BrowserContext]) -> Callable[..., Page]:
    """``user_page("expert1")``: a page in a fresh browser context signed in as that demo user.

    Each call opens its own context (own cookies), so two calls are two people. Extra keyword
    arguments go to ``new_context`` (e.g. ``viewport=`` for a phone)."""

    def open_as(username: str, **context_args: Any) -> Page:
        page = new_context(**context_args).new_page()
        log_in(page, username)
        return page

    return open_as
