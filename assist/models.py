"""What the assistance keeps: cached machine translations, the evaluation assistant's
summaries (draft → approved by a moderator) and confirmed clusters of similar feedback."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.models import Goal, Round


class MachineTranslation(models.Model):
    """One text in one target language, as a provider translated it. Keyed by the SHA-256 of
    the source text, so an edited comment is translated afresh and the same text shown in
    two places is translated once."""

    text_hash = models.CharField(_("SHA-256 des Originals"), max_length=64)
    source_lang = models.CharField(_("Ausgangssprache"), max_length=16, blank=True)
    target_lang = models.CharField(_("Zielsprache"), max_length=16)
    text = models.TextField(_("Übersetzung"))
    provider = models.CharField(_("Dienst"), max_length=40)
    created_at = models.DateTimeField(_("übersetzt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("maschinelle Übersetzung")
        verbose_name_plural = _("maschinelle Übersetzungen")
        constraints = [
            models.UniqueConstraint(
                fields=["text_hash", "target_lang"], name="one_translation_per_text_and_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.text_hash[:12]} → {self.target_lang}"


class Summary(models.Model):
    """The evaluation assistant's summary of one goal's feedback in one round. Every sentence
    cites the feedback it rests on; nobody but the moderators sees it before it is approved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        APPROVED = "approved", _("freigegeben")

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="summaries", verbose_name=_("Runde")
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="summaries", verbose_name=_("Ziel")
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    text = models.TextField(_("Text"))
    model = models.CharField(_("Modell"), max_length=200)
    prompt = models.TextField(_("Eingabe an das Modell"))
    input_hash = models.CharField(_("SHA-256 der Eingabe"), max_length=64)
    drafted_at = models.DateTimeField(_("entworfen am"))
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angefordert von"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("freigegeben von"),
    )
    approved_at = models.DateTimeField(_("freigegeben am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Zusammenfassung")
        verbose_name_plural = _("Zusammenfassungen")
        ordering = ["round", "goal"]
        constraints = [
            models.UniqueConstraint(fields=["round", "goal"], name="one_summary_per_round_goal"),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(approved_by__isnull=False),
                name="approved_summary_names_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.goal}"


class FeedbackCluster(models.Model):
    """Near-duplicate feedback of a round, confirmed by a moderator as one concern: one
    disposition given to the cluster is given to each member."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="feedback_clusters", verbose_name=_("Runde")
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("bestätigt von"),
    )
    confirmed_at = models.DateTimeField(_("bestätigt am"))
    similarity = models.FloatField(_("geringste Ähnlichkeit"), default=0)

    class Meta:
        verbose_name = _("Gruppe ähnlicher Rückmeldungen")
        verbose_name_plural = _("Gruppen ähnlicher Rückmeldungen")
        ordering = ["round", "pk"]

    def __str__(self) -> str:
        return f"{self.round}: #{self.pk}"


class FeedbackClusterMember(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", _("Kommentar")
        IDEA = "idea", _("Idee")
        ANSWER = "answer", _("Antwort")
        CONTRIBUTION = "contribution", _("Beitrag")

    cluster = models.ForeignKey(
        FeedbackCluster, on_delete=models.CASCADE, related_name="members", verbose_name=_("Gruppe")
    )
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("Nummer"))

    class Meta:
        verbose_name = _("Mitglied einer Gruppe")
        verbose_name_plural = _("Mitglieder einer Gruppe")
        ordering = ["cluster", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "kind", "object_id"], name="feedback_in_one_cluster_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
