"""Anyone recomputes a published result: the downloaded record and counting program, run
outside the project with nothing but Python."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import Room
from tests.voting.conftest import open_motion
from voting import services

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def published(room: Room, tmp_path: Path) -> tuple[Path, Path, str]:
    motion = open_motion(room, method="resistance", alternatives=["Eins.", "Zwei.", "Drei."])
    for who, values in (
        ("expert", {"A": 3, "B": 0, "C": 9}),
        ("expert2", {"A": 1, "B": 4, "C": 2}),
    ):
        services.ballot_cast(actor=getattr(room, who), motion_id=motion.pk, resistances=values)
    result = services.motion_close(actor=room.moderator, motion_id=motion.pk)
    client = Client()
    record = tmp_path / f"abstimmung-{motion.pk}.json"
    record.write_bytes(client.get(reverse("voting:motion_record", args=[motion.pk])).content)
    program = tmp_path / "tally.py"
    program.write_bytes(client.get(reverse("voting:tally_source")).content)
    return record, program, result.digest


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_downloaded_program_recounts_the_downloaded_record(vote_room: Room, tmp_path: Path):
    record, program, digest = published(vote_room, tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.move(program, outside / "tally.py")
    shutil.move(record, outside / record.name)
    done = run("-I", "tally.py", record.name, digest, cwd=outside)  # -I: no project on the path
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SHA-256 of the canonical record: {digest}" in done.stdout
    assert "file is byte-for-byte canonical: yes" in done.stdout
    assert "OK: the recount matches the published result." in done.stdout


def test_the_project_verifier_refuses_a_tampered_record(vote_room: Room, tmp_path: Path) -> None:
    record, _program, digest = published(vote_room, tmp_path)
    data = json.loads(record.read_text(encoding="utf-8"))
    data["result"]["winner"] = "C"
    record.write_text(json.dumps(data, indent=2), encoding="utf-8")
    done = run("-m", "voting.verify", str(record), digest, cwd=ROOT)
    assert done.returncode == 1
    assert "digest differs" in done.stdout
    assert "recount differs" in done.stdout


def test_the_downloaded_program_checks_the_fingerprint_published_at_opening(
    vote_room: Room, tmp_path: Path
) -> None:
    record, program, digest = published(vote_room, tmp_path)
    fingerprint = json.loads(record.read_text(encoding="utf-8"))["fingerprint"]
    done = run("-I", str(program), str(record), digest, fingerprint, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"fingerprint committed at opening: {fingerprint}" in done.stdout
    assert "ballots cast: 2 of 3 eligible" in done.stdout
    assert "OK: rule, text and electorate are the ones committed at opening." in done.stdout
    wrong = run("-I", str(program), str(record), digest, "0" * 64, cwd=tmp_path)
    assert wrong.returncode == 1
    assert "published at opening" in wrong.stdout
