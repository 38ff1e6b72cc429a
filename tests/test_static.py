"""Static files as the image collects them (DEBUG off, the production storage): every ES
module import of the room resolves to a hashed, cache-forever name, so a deploy never pairs a
new main.js with an old store.js from a browser's or proxy's cache."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from tests.config.test_settings import run

ROOT = Path(__file__).resolve().parent.parent
ROOM = ROOT / "frontend" / "static" / "frontend" / "room"
IMPORT = re.compile(r"""^import .* from "(?P<url>[^"]+)";$""", re.MULTILINE)
HASHED = re.compile(r"\.[0-9a-f]{12}\.js$")


def test_collectstatic_rewrites_the_rooms_module_imports_to_hashed_names(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "manage.py",
        "collectstatic",
        "--no-input",
        "-v",
        "0",
        DEBUG="0",
        ALLOWED_HOSTS="build.invalid",
        SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert result.returncode == 0, result.stderr
    collected = tmp_path / "static" / "frontend" / "room"
    for source in sorted(ROOM.glob("*.js")):
        (hashed,) = [
            path for path in collected.glob(source.stem + ".*.js") if HASHED.search(path.name)
        ]
        originals = IMPORT.findall(source.read_text(encoding="utf-8"))
        rewritten = IMPORT.findall(hashed.read_text(encoding="utf-8"))
        assert len(rewritten) == len(originals), source.name
        for url in rewritten:
            assert HASHED.search(url), f"{source.name} imports {url} by its unhashed name"
            assert (hashed.parent / url).resolve().is_file(), f"{source.name}: {url} is missing"
    main = IMPORT.findall(next(collected.glob("main.*.js")).read_text(encoding="utf-8"))
    assert {Path(url).name.split(".")[0] for url in main} >= {"connection", "store", "view"}
    # WhiteNoise serves the precompressed variants.
    assert list(collected.glob("main.*.js.gz")) and list(collected.glob("main.*.js.br"))
