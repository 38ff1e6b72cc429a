"""Close every motion whose deadline has passed. Run it every minute, e.g. from cron::

    * * * * *  cd /srv/konsens && .venv/bin/python manage.py close_due_motions

or as a compose service looping ``while true; do python manage.py close_due_motions; sleep 60;
done``. Deadlines are enforced without it too (no ballot is accepted after the deadline, and
reading or casting on a due motion closes it); this makes the result appear on time even if
nobody looks.
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
