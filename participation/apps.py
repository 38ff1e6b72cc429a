from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    """Wider participation: questionnaires for larger groups, public ideas, questions and
    opinions. Nested in the domain package; its feedback gets dispositions like comments."""

    name = "participation"
    label = "participation"
    verbose_name = _("Beteiligung")
    default_auto_field = "django.db.models.BigAutoField"
