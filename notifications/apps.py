from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Notifications sit above the domain: they import deliberation, voting and participation,
    which never import them. They hear what happens from the room event log's after-commit
    listeners (``deliberation.eventlog.register_listener``) and from participation's
    disposition listeners, both registered here."""

    name = "notifications"
    label = "notifications"
    verbose_name = _("Benachrichtigungen")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from deliberation.eventlog import register_listener
        from notifications import checks, hooks
        from participation.services.feedback import register_disposition_listener

        register_listener("notifications", hooks.on_room_event)
        register_disposition_listener("notifications", hooks.on_public_disposition)
        checks.register()

        # A person's notifications for the export and the erasure (kernel/personal_data.py).
        from kernel import personal_data
        from notifications import personal_data as notification_data

        personal_data.register(
            "notifications",
            export=notification_data.export,
            erase=notification_data.erase,
            order=60,
        )
