"""The task queue: the scheduled jobs call the same services as their commands, compose runs
a worker and a scheduler, and (CI's PostgreSQL + Redis pass) a real worker runs a task."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from config.celery import app, clear_sessions
from deliberation.models import RoomEvent
from notifications.models import Kind, Notification
from rooms.tasks import prune_room_events
from tests.factories import make_room
from voting import services as voting_services
from voting.models import Motion
from voting.tasks import close_due_motions

ROOT = Path(__file__).resolve().parents[2]


def test_every_scheduled_job_names_a_registered_task() -> None:
    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {entry["task"] for entry in schedule.values()} == {
        "voting.close_due_motions",
        "notifications.remind_closing_motions",
        "rooms.prune_room_events",
        "config.clear_sessions",
        "api.prune_expired_tokens",
    }
    for entry in schedule.values():
        assert entry["task"] in app.tasks, entry["task"]


@pytest.mark.django_db
def test_the_close_job_closes_a_due_motion_like_the_command() -> None:
    room = make_room()
    motion = voting_services.motion_open(
        actor=room.moderator,
        circle=room.circle,
        goal_id=room.goal.pk,
        method="consent",
        deadline=timezone.now() + timedelta(hours=1),
    )
    assert close_due_motions.delay().get() == 0
    Motion.objects.filter(pk=motion.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    assert close_due_motions.delay().get() == 1
    motion.refresh_from_db()
    assert motion.status == Motion.Status.CLOSED
    out = StringIO()
    call_command("close_due_motions", stdout=out)  # nothing left for the command
    assert out.getvalue() == ""


@pytest.mark.django_db
def test_the_prune_job_keeps_the_newest_events(settings: Any) -> None:
    from django.db import transaction

    from deliberation.eventlog import record_event

    settings.ROOM_EVENT_LOG_KEEP = 100
    room = make_room()
    with transaction.atomic():
        for _ in range(105):
            record_event(circle=room.circle, kind="focus.changed", payload={"goal": None})
    before = RoomEvent.objects.filter(circle=room.circle).count()
    assert before > 100
    assert prune_room_events.delay().get() == before - 100
    assert RoomEvent.objects.filter(circle=room.circle).count() == 100


@pytest.mark.django_db
def test_the_session_job_clears_expired_sessions() -> None:
    live = SessionStore()
    live.create()
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    clear_sessions.delay()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_compose_runs_a_worker_and_a_scheduler_from_the_same_image() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    for name, role in (("worker", "worker"), ("scheduler", "beat")):
        service = services[name]
        assert service["image"] == services["web"]["image"] and service["build"] == "."
        assert service["command"][:3] == ["celery", "--app=config", role]
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert service["healthcheck"]["test"]
    assert "deploy" not in services["scheduler"], "exactly one beat, or jobs run twice"


def test_without_a_broker_tasks_run_in_process() -> None:
    if os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL"):
        assert settings.CELERY_BROKER_URL
    else:
        assert settings.CELERY_BROKER_URL == "" and settings.CELERY_TASK_ALWAYS_EAGER


# -- a real worker (CI's second pass: PostgreSQL and Redis) ----------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_notification_of_an_opened_vote(tmp_path: Path) -> None:
    from tests.rooms.daphne import _test_database_url

    room = make_room()
    for person in (room.expert, room.expert2):
        person.email = f"{person.username}@example.org"
        person.save(update_fields=["email"])
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "KONSENS_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    command = [
        sys.executable, "-m", "celery", "--app=config", "worker", "--pool=solo",
        "--without-mingle", "--without-gossip", "--loglevel=INFO",
    ]  # fmt: skip
    with log.open("wb") as out:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    app.conf.update(task_always_eager=False, CELERY_TASK_ALWAYS_EAGER=False)
    try:
        voting_services.motion_open(
            actor=room.moderator, circle=room.circle, goal_id=room.goal.pk, method="consent"
        )
        assert not Notification.objects.exists(), "the task ran in this process, not the worker"
        deadline = time.monotonic() + 60
        while Notification.objects.filter(kind=Kind.MOTION_OPENED).count() < 2:
            if worker.poll() is not None:
                pytest.fail(f"the worker exited with {worker.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no notification from the worker in 60 s:\n{log.read_text()}")
            time.sleep(0.2)  # polling another process's work, with a deadline
    finally:
        app.conf.update(task_always_eager=True, CELERY_TASK_ALWAYS_EAGER=True)
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {room.expert.pk, room.expert2.pk}
    assert "notifications.notify_room_event" in log.read_text()
