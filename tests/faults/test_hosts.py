"""Three "hosts": three uvicorn processes, each in a network namespace of this test's own,
reachable only over its veth pair, sharing PostgreSQL and Redis as machines behind a load
balancer would. Viewers on each of them; a comment posted on one reaches all of them
(``docs/performance.md``, "Round 2", scale-out).

Namespaces need root and ``ip`` (iproute2). Elsewhere the test skips and says why; under
``CI=true`` it must run, so there it fails instead. Everything stays on this machine: each
namespace has its loopback and one veth pair to the host (10.R.i.0/24, R chosen free); the
servers reach PostgreSQL and Redis — which listen on the host's 127.0.0.1 only — through a
small TCP forwarder of this test listening on the host side of each pair.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from tests.conftest import IN_CI
from tests.factories import Room
from tests.faults.support import Follower, has_bodies, post_frame
from tests.rooms.daphne import ROOT, STARTUP_DEADLINE, Server, _test_database_url, free_port
from tests.rooms.daphne import stop as stop_server

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

HOSTS = 3


def _why_not() -> str | None:
    if sys.platform != "linux":
        return "network namespaces are Linux only"
    if os.geteuid() != 0:
        return "network namespaces need root (CI runs this test as root)"
    if shutil.which("ip") is None:
        return "needs the ip command (iproute2)"
    return None


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@dataclass
class Host:
    namespace: str
    host_ip: str  # the host's side of the veth pair
    ip: str  # the namespace's side


@dataclass
class NsServer(Server):
    """A server in a namespace: clients reach it at its namespace address."""

    host: str = "127.0.0.1"

    @property
    def http(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://{self.host}:{self.port}"


@pytest.fixture
def hosts() -> Iterator[list[Host]]:
    reason = _why_not()
    if reason:
        if IN_CI:
            pytest.fail(f"under CI this test must run: {reason}")
        pytest.skip(reason)
    used = subprocess.run(["ip", "-4", "addr"], capture_output=True, text=True, check=True).stdout
    prefix = next(f"10.{n}" for n in random.sample(range(100, 250), 150) if f" 10.{n}." not in used)
    tag = f"kz{os.getpid() % 100000}"
    made: list[Host] = []
    try:
        for i in range(HOSTS):
            host = Host(f"{tag}-{i}", f"{prefix}.{i}.1", f"{prefix}.{i}.2")
            outside, inside = f"{tag}h{i}", f"{tag}n{i}"
            _ip("netns", "add", host.namespace)
            made.append(host)
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            _ip("link", "set", inside, "netns", host.namespace)
            _ip("addr", "add", f"{host.host_ip}/24", "dev", outside)
            _ip("link", "set", outside, "up")
            inns = ("netns", "exec", host.namespace, "ip")
            _ip(*inns, "addr", "add", f"{host.ip}/24", "dev", inside)
            _ip(*inns, "link", "set", inside, "up")
            _ip(*inns, "link", "set", "lo", "up")
        yield made
    finally:
        for i, host in enumerate(made):
            # Deleting the namespace deletes its end of the pair, and with it the host's end.
            subprocess.run(["ip", "netns", "delete", host.namespace], check=False, timeout=30)
            subprocess.run(["ip", "link", "delete", f"{tag}h{i}"], check=False, timeout=30)


class Forwarder:
    """TCP forwarding from (listen address, port) to 127.0.0.1:target, on an event loop in a
    thread of its own: the namespaces' way to the host's PostgreSQL and Redis."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.servers: list[asyncio.Server] = []

    def forward(self, listen: str, target: int) -> int:
        future = asyncio.run_coroutine_threadsafe(self._listen(listen, target), self.loop)
        return future.result(timeout=10)

    async def _listen(self, listen: str, target: int) -> int:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target)
            except OSError:
                writer.close()
                return
            await asyncio.gather(
                self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
            )

        server = await asyncio.start_server(handle, listen, 0)
        self.servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    def close(self) -> None:
        async def shut() -> None:
            for server in self.servers:
                server.close()

        asyncio.run_coroutine_threadsafe(shut(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


def _via(url: str, host: str, port: int) -> str:
    """``url`` with its host and port replaced (the forwarder's side)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    credentials = netloc[0] + "@" if len(netloc) == 2 else ""
    return urlunsplit(parts._replace(netloc=f"{credentials}{host}:{port}"))


def start_in(host: Host, forwarder: Forwarder, tmp_path: Path, name: str) -> NsServer:
    """The image's uvicorn in ``host``'s namespace, over the test database and Redis."""
    from deploy.image import image_command

    database = _test_database_url()
    redis = os.environ["REDIS_URL"]
    db_port = forwarder.forward(host.host_ip, urlsplit(database).port or 5432)
    redis_port = forwarder.forward(host.host_ip, urlsplit(redis).port or 6379)
    port = free_port()
    replace = {"--host=0.0.0.0": f"--host={host.ip}", "--port=8000": f"--port={port}"}
    arguments = [replace.get(a, a) for a in image_command()]
    env = {
        **os.environ,
        "DATABASE_URL": _via(database, host.host_ip, db_port),
        "REDIS_URL": _via(redis, host.host_ip, redis_port),
        "KONSENS_VAR_DIR": str(tmp_path / f"var-{name}"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALLOWED_HOSTS": f"{host.ip},127.0.0.1,localhost",
        # The test's clients send Origin http://127.0.0.1:<port> (tests.faults.support).
        "WEBSOCKET_ALLOWED_ORIGINS": f"http://127.0.0.1:{port},http://{host.ip}:{port}",
        "ROOM_MAX_CONNECTIONS_PER_ADDRESS": "10000",
        "ROOM_RATE_BURST": "10000",
    }
    log = tmp_path / f"uvicorn-{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["ip", "netns", "exec", host.namespace, sys.executable, "-m", *arguments],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = NsServer(port=port, process=process, log=log, host=host.ip)
    deadline = time.monotonic() + STARTUP_DEADLINE
    while True:
        if process.poll() is not None:
            pytest.fail(f"server {name} exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{server.http}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_server(server)
            pytest.fail(f"server {name} did not answer in {STARTUP_DEADLINE} s:\n{log.read_text()}")
        time.sleep(0.2)  # polling an external process for readiness, with a deadline


def test_a_comment_posted_on_one_host_reaches_the_viewers_on_all_three(
    room: Room, hosts: list[Host], tmp_path: Path
) -> None:
    assert str(settings.DATABASES["default"]["ENGINE"]).endswith("postgresql")
    forwarder = Forwarder()
    servers: list[NsServer] = []
    try:
        servers = [start_in(host, forwarder, tmp_path, str(i)) for i, host in enumerate(hosts)]
        # Each server is bound to its namespace's address only: not reachable on loopback.
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{servers[0].port}/healthz", timeout=2)
        slug, goal = room.circle.slug, room.goal.pk
        viewers = [Follower(f"viewer@{i}", slug, [s]) for i, s in enumerate(servers)]
        expert = Follower("expert@2", slug, [servers[2]], user=room.expert2)
        poster = Follower("poster@0", slug, [servers[0]], user=room.expert)
        everyone = [*viewers, expert, poster]
        for follower in everyone:
            follower.connect()

        poster.command(post_frame(0, goal, "über Rechner"))
        poster.until(lambda f: not f.pending)
        assert poster.errors == []
        for follower in everyone:
            follower.until(has_bodies(["über Rechner 0"]))
            follower.assert_gapless()
            assert follower.reconnects == 0
            follower.close()
    finally:
        for server in servers:
            stop_server(server)
        forwarder.close()
