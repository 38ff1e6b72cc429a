"""A Daphne of its own for browser tests that read the mails the product sends.

The session server (``conftest.server``) prints mail to its log; journeys that follow a link
from a mail need the mail itself. ``mail_server`` starts a second Daphne over its own demo
database whose mails go to files (Django's file backend, ``EMAIL_FILE_PATH``), so the session
server's settings stay as they are. With ``REDIS_URL`` set, tasks go to the broker: the fixture
then starts a real Celery worker with the same environment, on a Redis database one above the
session's (``REDIS_URL``'s own database stays the session server's), so neither hears the
other's tasks or room events. Without ``REDIS_URL`` tasks run in the server process.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import (
    ROOT,
    Daphne,
    Server,
    _free_port,
    _is_postgres,
    _manage,
    _postgres_database,
)

MAIL_TIMEOUT = 60.0  # seconds for a mail to arrive (a worker on a busy machine)
SEPARATOR = re.compile(rb"^-{79}$\n?", re.MULTILINE)  # the file backend's line between mails
LINK = re.compile(r"https?://[^\s<>\"]+")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str

    def link(self, path_part: str) -> str:
        """The first address in the body that contains ``path_part``."""
        for found in LINK.findall(self.body):
            if path_part in found:
                return found
        raise AssertionError(f"no link with {path_part!r} in the mail:\n{self.body}")


@dataclass(frozen=True)
class MailServer(Server):
    outbox: Path = Path()
    worker_log: Path | None = None

    def mails(self) -> list[Mail]:
        found: list[Mail] = []
        for path in sorted(self.outbox.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
            for chunk in SEPARATOR.split(path.read_bytes()):
                if not chunk.strip():
                    continue
                message = email.message_from_bytes(chunk, policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                part = message.get_body(preferencelist=("plain",))
                body = part.get_content() if part is not None else ""
                found.append(
                    Mail(to=str(message["To"]), subject=str(message["Subject"]), body=body)
                )
        return found

    def wait_for_mail(self, to: str, match: Callable[[Mail], bool] = lambda _: True) -> Mail:
        """The first mail to ``to`` that ``match`` accepts, polling the outbox with a deadline."""
        deadline = time.monotonic() + MAIL_TIMEOUT
        while True:
            for mail in self.mails():
                if to in mail.to and match(mail):
                    return mail
            if time.monotonic() > deadline:
                got = [(m.to, m.subject) for m in self.mails()]
                worker = self.worker_log.read_text(errors="replace") if self.worker_log else ""
                pytest.fail(
                    f"no matching mail to {to} within {MAIL_TIMEOUT:.0f} s; outbox: {got}\n"
                    f"server log:\n{self.log_text()[-4000:]}\nworker log:\n{worker[-4000:]}",
                    pytrace=False,
                )
            time.sleep(0.2)  # another process writes the mail: poll with a deadline


def _next_redis_database(url: str) -> str:
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or "0")
    return urlunsplit(parts._replace(path=f"/{(database + 1) % 16}"))


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailServer]:
    """Daphne over a fresh demo whose mails land in ``outbox`` (and a worker, with Redis)."""
    workdir = tmp_path_factory.mktemp("mail-server")
    database_url = os.environ.get("DATABASE_URL", "")
    drop_database: Callable[[], None] = lambda: None  # noqa: E731
    if _is_postgres(database_url):
        parts = urlsplit(database_url)
        name = f"{parts.path.lstrip('/') or 'konsens'}_mail"
        database_url, drop_database = _postgres_database(
            urlunsplit(parts._replace(path=f"/{name}"))
        )
    else:
        database_url = f"sqlite:///{workdir / 'konsens.sqlite3'}"
    outbox = workdir / "outbox"
    outbox.mkdir()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        "KONSENS_VAR_DIR": str(workdir / "var"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        "SITE_URL": url,
    }
    env.pop("CSRF_TRUSTED_ORIGINS", None)
    env.pop("CELERY_BROKER_URL", None)
    if env.get("REDIS_URL"):
        env["REDIS_URL"] = _next_redis_database(env["REDIS_URL"])
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "load_demo")

    log = workdir / "daphne.log"
    daphne = Daphne(env=env, port=port, log=log)
    worker: subprocess.Popen[bytes] | None = None
    worker_log: Path | None = None
    try:
        if env.get("REDIS_URL"):
            worker_log = workdir / "worker.log"
            command = [
                sys.executable, "-m", "celery", "--app=config", "worker", "--pool=solo",
                "--without-mingle", "--without-gossip", "--loglevel=INFO",
            ]  # fmt: skip
            with worker_log.open("wb") as out:
                worker = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
                )
        daphne.start()
        yield MailServer(url=url, log=log, daphne=daphne, outbox=outbox, worker_log=worker_log)
    finally:
        daphne.stop()
        if worker is not None:
            _stop(worker)
        drop_database()


@pytest.fixture
def open_page(browser: Browser, mail_server: MailServer) -> Iterator[Callable[..., Page]]:
    """``open_page(**context_args)``: a page in a fresh German browser context (own cookies, so
    each call is another person) on ``mail_server``; the contexts close after the test."""
    contexts = []

    def open_one(**context_args: object) -> Page:
        args = {"base_url": mail_server.url, "locale": "de-DE", "timezone_id": "Europe/Berlin"}
        context = browser.new_context(**{**args, **context_args})  # type: ignore[arg-type]
        contexts.append(context)
        return context.new_page()

    yield open_one
    for context in contexts:
        context.close()
