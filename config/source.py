"""The source of the running installation, offered to every network user (AGPL-3.0 §13).

``SOURCE_URL`` points at a repository when the operator has one; without it the footer links
to ``/quelltext/``, which serves the code this process runs as a ``.tar.gz``: the application
packages, templates, static files, migrations, the LICENSE and the build files, read from the
installation's own directory at request time — so local changes are included, as the licence
requires. Secrets are not part of it (settings come from the environment; ``.env`` files,
``var/`` and virtual environments are left out).
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# What a rebuild needs, relative to the project directory.
INCLUDE = (
    "LICENSE",
    "README.md",
    "CHANGELOG.md",
    "pyproject.toml",
    "requirements.lock",
    "requirements-dev.lock",
    "Makefile",
    "Dockerfile",
    "docker-compose.yml",
    "manage.py",
    ".env.example",
    "deploy",
    "locale",
    "docs",
    "kernel",
    "api",
    "config",
    "deliberation",
    "attendance",
    "voting",
    "participation",
    "accounts",
    "notifications",
    "assist",
    "rooms",
    "frontend",
)
SKIP_PARTS = {"__pycache__", ".venv", "var", "node_modules", ".mypy_cache", ".ruff_cache"}
SKIP_SUFFIXES = (".pyc", ".sqlite3", ".env")


def _files(root: Path) -> list[Path]:
    found: list[Path] = []
    for name in INCLUDE:
        path = root / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not SKIP_PARTS.intersection(p.relative_to(root).parts)
                and not p.name.endswith(SKIP_SUFFIXES)
            )
    return found


def source_archive(root: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in _files(root):
            archive.add(path, arcname=f"konsens/{path.relative_to(root)}", recursive=False)
    return buffer.getvalue()


@require_GET
@cache_control(public=True, max_age=3600)
def source_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        source_archive(Path(settings.BASE_DIR)), content_type="application/gzip"
    )
    response["Content-Disposition"] = 'attachment; filename="konsens-source.tar.gz"'
    return response
