from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    """Wider participation: questionnaires for larger groups, public ideas, questions and
    opinions. Its feedback gets dispositions like comments, and the rounds evaluate it through
    the source it registers here (``deliberation.rounds.feedback_sources``)."""

    name = "participation"
    label = "participation"
    verbose_name = _("Beteiligung")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from deliberation.rounds.feedback_sources import register_public_feedback
        from participation.selectors import round_public_feedback

        register_public_feedback("participation", round_public_feedback)

        # A person's data for the export and the erasure (kernel/personal_data.py).
        from kernel import personal_data
        from participation import personal_data as participation_data
        from participation.selectors import personal_data as participation_export

        personal_data.register(
            "participation", export=participation_export, erase=participation_data.erase, order=50
        )
