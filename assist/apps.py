from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistConfig(AppConfig):
    """Assistance for reading and evaluating feedback: machine translation on demand, the
    evaluation assistant's cited drafts, clusters of similar feedback. Sits above the rounds
    and participation; every outside provider is off unless the operator sets one."""

    name = "assist"
    label = "assist"
    verbose_name = _("Assistenz")
    default_auto_field = "django.db.models.BigAutoField"
