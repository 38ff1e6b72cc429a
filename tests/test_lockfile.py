"""The lock files (docs/development.md, "Dependencies"): requirements.lock for the image,
requirements-dev.lock for `make install` and CI. Each pins every dependency pyproject.toml
declares with hashes; the two agree on every package they share."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.MULTILINE)


def pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    found = {canonicalize_name(m[1]): m[2] for m in PIN.finditer(text)}
    assert found, f"{name} pins nothing"
    return found


def project() -> dict[str, list[str]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {
        "runtime": data["project"]["dependencies"],
        "dev": data["project"]["optional-dependencies"]["dev"],
        "build": data["build-system"]["requires"],
    }


def _check(lock: str, declared: list[str]) -> None:
    pinned = pins(lock)
    missing, outside = [], []
    for line in declared:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        if name not in pinned:
            missing.append(name)
        elif not requirement.specifier.contains(pinned[name], prereleases=True):
            outside.append(f"{name}=={pinned[name]} ({requirement.specifier})")
    assert not missing, f"{lock} lacks {missing}: regenerate it (docs/development.md)"
    assert not outside, f"{lock} pins outside pyproject.toml: {outside}"


def test_the_image_lock_pins_every_runtime_and_build_dependency() -> None:
    _check("requirements.lock", project()["runtime"] + project()["build"])


def test_the_dev_lock_pins_every_dependency_and_dev_extra() -> None:
    declared = project()
    _check("requirements-dev.lock", declared["runtime"] + declared["dev"] + declared["build"])


def test_the_image_and_ci_install_the_same_versions() -> None:
    image, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert set(image) <= set(dev)
    assert {name: version for name, version in image.items() if dev[name] != version} == {}


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_has_a_hash(lock: str) -> None:
    text = (ROOT / lock).read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    unhashed = [b.split()[0] for b in blocks if PIN.match(b) and "--hash=sha256:" not in b]
    assert not unhashed


def test_the_image_and_make_install_install_from_the_locks() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "pip install --no-deps" in dockerfile
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^\$\(STAMP\): requirements-dev\.lock", makefile, re.MULTILINE)
    assert "--require-hashes --no-deps -r requirements-dev.lock" in makefile
