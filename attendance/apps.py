from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("Anwesenheit und Vertretung")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # What attendance stores about a person, for the export (kernel/personal_data.py).
        from attendance.selectors import personal_data as attendance_data
        from kernel import personal_data

        personal_data.register("attendance", export=attendance_data, order=40)
