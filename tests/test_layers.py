"""The import direction of docs/architecture.md holds: doors → domain → event log, the shared
kernel below everything, no import from a lower layer back up and no cycle between the
top-level packages. Imports inside functions count too: a lazy import is still a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Which top-level packages each one may import (besides Django and libraries).
ALLOWED: dict[str, set[str]] = {
    "kernel": set(),
    "api": {"kernel"},
    "deliberation": {"kernel", "api"},
    "attendance": {"kernel", "api", "deliberation"},
    "voting": {"kernel", "api", "deliberation", "attendance"},
    "participation": {"kernel", "api", "deliberation"},
    "assist": {"kernel", "api", "deliberation", "participation"},
    "rooms": {"kernel", "api", "deliberation", "attendance", "voting"},
    "accounts": {"kernel", "api", "deliberation"},
    "notifications": {"kernel", "api", "deliberation", "attendance", "voting", "participation"},
    "frontend": {
        "kernel",
        "deliberation",
        "attendance",
        "voting",
        "participation",
        "accounts",
        "notifications",
        "assist",
    },
    "config": {"kernel", "api", "deliberation", "participation", "rooms", "frontend", "accounts"},
}
PACKAGES = set(ALLOWED)

# Within a bounded context, these modules are doors (pages, API, admin, forms, commands);
# every other module is domain, which must not import any door or the transport.
DOOR_NAMES = {
    "admin.py",
    "api.py",
    "api_urls.py",
    "urls.py",
    "views.py",
    "forms.py",
    "serializers.py",
    "web.py",
    "export.py",
    "presentation.py",
    "apps.py",
}
DOOR_DIRS = {"views", "api", "management", "templatetags", "migrations"}
DOMAIN_MAY_NOT = {"api", "rooms", "frontend", "config"}


def _modules() -> list[Path]:
    return [
        path
        for package in PACKAGES
        if (ROOT / package).is_dir()
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found & PACKAGES


def _is_door(path: Path) -> bool:
    relative = path.relative_to(ROOT)
    return (
        relative.name in DOOR_NAMES
        or relative.name.endswith("_api.py")
        or bool(DOOR_DIRS & set(relative.parts[1:-1]))
    )


def test_every_top_level_package_imports_only_what_lies_below_it() -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {target}"
        for path in _modules()
        for target in _imports(path)
        if target != path.relative_to(ROOT).parts[0]
        and target not in ALLOWED[path.relative_to(ROOT).parts[0]]
    ]
    assert wrong == []


def test_domain_modules_import_no_door_and_no_transport() -> None:
    contexts = {"deliberation", "participation", "voting", "attendance", "accounts"}
    wrong = [
        f"{path.relative_to(ROOT)} imports {target}"
        for path in _modules()
        if path.relative_to(ROOT).parts[0] in contexts and not _is_door(path)
        for target in _imports(path) & DOMAIN_MAY_NOT
    ]
    assert wrong == []


def test_the_allowed_dependencies_have_no_cycle() -> None:
    seen: dict[str, int] = {}

    def visit(package: str, trail: tuple[str, ...]) -> None:
        if package in trail:
            pytest.fail(" → ".join((*trail, package)))
        for target in ALLOWED[package]:
            visit(target, (*trail, package))

    for package in ALLOWED:
        visit(package, ())
        seen[package] = 1
    assert set(seen) == PACKAGES


def test_the_shared_kernel_holds_no_django_models() -> None:
    kernel = ROOT / "kernel"
    assert not (kernel / "models.py").exists()
    assert all("django.db import models" not in p.read_text() for p in kernel.rglob("*.py"))


def test_no_application_file_is_over_800_lines() -> None:
    long_files = {
        str(path.relative_to(ROOT)): n
        for path in _modules()
        if (n := len(path.read_text().splitlines())) > 800
    }
    assert long_files == {}
