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

        # Room tickets and presence rows in the export and the erasure (kernel/personal_data.py).
        from kernel import personal_data
        from rooms import personal_data as room_data

        personal_data.register("rooms", export=room_data.export, erase=room_data.erase, order=70)
