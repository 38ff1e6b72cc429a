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
