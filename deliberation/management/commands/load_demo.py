from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from deliberation.demo import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo 'Integrationskonzept 2021–2025': five action fields, an expert circle "
        "and a working group each, draft goals, and demo logins (password konsens-demo). "
        "Idempotent: running it again creates what is missing and changes nothing else. "
        "Never run it on a production database: the demo logins have a public password."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo()
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(f"Demo loaded: {len(result.created)} objects created.")
            )
        else:
            self.stdout.write("Demo already complete: nothing changed.")
        self.stdout.write(f"\nLogins (password: {DEMO_PASSWORD}):")
        roles = {
            "moderator": "moderates every demo circle",
            "expert1": "expert in every demo circle",
            "expert2": "expert in every demo circle",
            "expert3": "expert in every demo circle",
            "drafter": "drafter in every working group",
            "admin": "staff, /admin/",
        }
        for username, *_rest in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {roles[username]}")
