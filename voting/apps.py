from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("Abstimmungen")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # What the vote stores about a person, for the export (kernel/personal_data.py).
        from kernel import personal_data
        from voting.selectors import personal_data as voting_data

        personal_data.register("voting", export=voting_data, order=30)
