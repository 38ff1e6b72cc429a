"""``manage.py prune_room_events``: keep each room's event log from growing without end."""

from __future__ import annotations

from argparse import ArgumentParser, RawDescriptionHelpFormatter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deliberation.models import Circle
from rooms import conf
from rooms.replay import room_events_prune


class Command(BaseCommand):
    help = (
        "Delete all but the newest events of each live room's event log.\n"
        "\n"
        "Rooms replay their log to clients that reconnect ('resume'). A client\n"
        "whose last seen event was pruned gets a 'resync' and a fresh snapshot\n"
        "instead, so pruning never loses state: it only makes clients that were\n"
        "away for a long time reload the room. Safe while rooms are live. Beat\n"
        "runs it nightly (rooms.tasks.prune_room_events); without a task queue,\n"
        "run it e.g. nightly from cron:\n"
        "\n"
        "    python manage.py prune_room_events\n"
        "    python manage.py prune_room_events --keep 5000 --room bildung-sprache --dry-run"
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            metavar="N",
            help="Events to keep per room (default: the ROOM_EVENT_LOG_KEEP setting, "
            f"currently {conf.event_log_keep()}). At least 1.",
        )
        parser.add_argument(
            "--room",
            metavar="SLUG",
            help="Prune only the room of the circle with this slug (default: every room).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count what would be deleted; delete nothing.",
        )

    def handle(
        self, *args: Any, keep: int | None, room: str | None, dry_run: bool, **options: Any
    ) -> None:
        keep = conf.event_log_keep() if keep is None else keep
        if keep < 1:
            raise CommandError("--keep must be at least 1.")
        circle = None
        if room is not None:
            circle = Circle.objects.filter(slug=room).first()
            if circle is None:
                raise CommandError(f"No room (circle) with the slug {room!r}.")
        count = room_events_prune(keep=keep, circle=circle, dry_run=dry_run)
        where = f"room {room}" if room else "all rooms"
        if dry_run:
            self.stdout.write(f"Would delete {count} events ({where}, keeping {keep} per room).")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Deleted {count} events ({where}, kept {keep} per room).")
            )
