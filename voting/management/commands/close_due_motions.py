"""Close every motion whose deadline has passed: the door by hand or from cron. With the task
queue, beat runs the same service every minute (``voting.tasks.close_due_motions``,
docs/operations.md "Tasks and schedules"); without one, run this every minute::

    * * * * *  cd /srv/konsens && .venv/bin/python manage.py close_due_motions

Deadlines are enforced without it too (no ballot is accepted after the deadline, and reading
or casting on a due motion closes it); this makes the result appear on time even if nobody
looks.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from voting import services


class Command(BaseCommand):
    help = "Close every open motion whose deadline has passed, and publish its result."

    def handle(self, *args: Any, **options: Any) -> None:
        results = services.motions_close_due()
        for result in results:
            self.stdout.write(
                f"motion {result.motion_id}: {result.outcome} "
                f"({result.participant_count}/{result.eligible_count}) sha256 {result.digest}"
            )
        if options["verbosity"] > 1 or results:
            self.stdout.write(f"{len(results)} motion(s) closed.")
