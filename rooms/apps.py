from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoomsConfig(AppConfig):
    name = "rooms"
    verbose_name = _("Live-Räume")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A roll call is pre-filled from the room's presence; attendance sits below the rooms
        # and asks through this reader instead of importing them (attendance/presence.py).
        from attendance.presence import register_presence_reader
        from rooms.presence import presence_state

        register_presence_reader(
            lambda circle_id: [int(m["id"]) for m in presence_state(circle_id)["members"]]
        )
