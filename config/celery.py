"""The task queue: Celery, configured from Django's settings (``CELERY_*``).

With a broker (``CELERY_BROKER_URL``, else ``REDIS_URL``) tasks go to the worker
(``celery -A config worker``) and the schedule is kept by beat (``celery -A config beat``);
without one, every task runs in the process that enqueues it (``task_always_eager``), so the
embedded defaults need no worker. docs/operations.md, "Tasks and schedules".
"""

from __future__ import annotations

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)

app = Celery("konsens")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The ``tasks`` module of each installed app (voting, rooms, notifications).
app.autodiscover_tasks()


@app.task(name="config.clear_sessions")
def clear_sessions() -> None:
    """Delete expired sessions: what ``manage.py clearsessions`` does, on beat's schedule."""
    from django.core.management import call_command

    call_command("clearsessions")
    logger.info("expired sessions cleared")
