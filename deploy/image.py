"""The Docker image's server command, read from the ``Dockerfile``'s final ``CMD``: one source
for what compose runs (``docker-compose.yml`` repeats it; ``tests/test_compose.py`` keeps
them equal), what the tests start as "the image's uvicorn" and what the benchmarks measure."""

from __future__ import annotations

import json
import re
from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parent.parent / "Dockerfile"


def image_command() -> list[str]:
    """The final stage's ``CMD`` (exec form), e.g. ``["uvicorn", "--host=0.0.0.0", …]``."""
    final_stage = DOCKERFILE.read_text(encoding="utf-8").rsplit("\nFROM ", 1)[-1]
    (cmd,) = re.findall(r"^CMD (\[.*\])$", final_stage, flags=re.MULTILINE)
    return list(json.loads(cmd))


MAKEFILE = DOCKERFILE.with_name("Makefile")


def daphne_ping_options() -> list[str]:
    """The ``DAPHNE_PING`` options of the Makefile (``make demo``'s Daphne), e.g.
    ``["--ping-interval", "20", "--ping-timeout", "70"]``: the tests' Daphne uses the same."""
    (line,) = re.findall(r"^DAPHNE_PING := (.*)$", MAKEFILE.read_text(encoding="utf-8"), re.M)
    return line.split()


def server_ping_seconds(command: list[str]) -> float:
    """How long a server started with ``command`` lets a client that answers no WebSocket ping
    live at most: ping interval + ping timeout (the servers' defaults where not given)."""
    options: dict[str, str] = {}
    for index, part in enumerate(command):
        if part.startswith("--") and "=" in part:
            name, value = part.split("=", 1)
            options[name] = value
        elif part.startswith("--") and index + 1 < len(command):
            options[part] = command[index + 1]
    if command and command[0] == "uvicorn":
        return float(options.get("--ws-ping-interval", 20)) + float(
            options.get("--ws-ping-timeout", 20)
        )
    return float(options.get("--ping-interval", 20)) + float(options.get("--ping-timeout", 30))
