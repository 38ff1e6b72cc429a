"""Wider participation: questionnaires for larger groups, and public contributions (ideas to an
action field, questions and opinions on the concept page) from registered citizens.

Models hold data and constraints only; every change goes through
``participation.services``, reads through ``.selectors``. Free-text answers and
approved contributions are *feedback* like the circles' comments: each may get one
``deliberation.models.Disposition`` (its ``answer`` / ``contribution`` link) and may be linked
to a goal, which puts it into the evaluation report of the rounds that discuss that goal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from deliberation.models import ActionField, Concept, Goal, ModerationRecord

SCALE_MIN = 1
SCALE_MAX = 5


class Questionnaire(models.Model):
    """A questionnaire of a concept, or of one of its action fields.

    It accepts responses while it is open and its deadline (if any) has not passed; the
    server's clock decides (``selectors.is_accepting``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        OPEN = "open", _("offen")
        CLOSED = "closed", _("geschlossen")

    class Distribution(models.TextChoices):
        PUBLIC = "public", _("öffentlich: ein Fragebogen je Konto")
        INVITATION = "invitation", _("persönliche Einladungslinks, ohne Konto")

    concept = models.ForeignKey(
        Concept,
        on_delete=models.PROTECT,
        related_name="questionnaires",
        verbose_name=_("Konzept"),
    )
    action_field = models.ForeignKey(
        ActionField,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaires",
        verbose_name=_("Handlungsfeld"),
        help_text=_("leer: ein Fragebogen zum ganzen Konzept"),
    )
    title = models.CharField(_("Titel"), max_length=200)
    intro = models.TextField(_("Einleitung"), blank=True, help_text=_("Markdown"))
    distribution = models.CharField(
        _("Verteilung"), max_length=20, choices=Distribution.choices, default=Distribution.PUBLIC
    )
    status = models.CharField(
        pgettext_lazy("questionnaire", "Status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
    )
    deadline = models.DateTimeField(_("Antworten bis"), null=True, blank=True)
    # {"tr": {"title": …, "intro": …}, …}: the texts in other languages, entered by whoever
    # manages the questionnaire (services.questionnaire_translate); German is the original.
    translations = models.JSONField(_("Übersetzungen"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angelegt von"),
    )
    created_at = models.DateTimeField(_("angelegt am"))
    opened_at = models.DateTimeField(_("geöffnet am"), null=True, blank=True)
    closed_at = models.DateTimeField(_("geschlossen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Fragebogen")
        verbose_name_plural = _("Fragebögen")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Einfachauswahl")
        MULTIPLE = "multiple", _("Mehrfachauswahl")
        SCALE = "scale", _("Skala 1–5")
        TEXT = "text", _("Freitext")

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("Fragebogen"),
    )
    order = models.PositiveSmallIntegerField(_("Reihenfolge"))
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("Frage"), max_length=500)
    hint = models.CharField(_("Hinweis"), max_length=500, blank=True)
    required = models.BooleanField(_("Pflichtfrage"), default=True)
    goal = models.ForeignKey(
        Goal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("bezieht sich auf Ziel"),
    )
    # {"tr": {"text": …, "hint": …}, …}
    translations = models.JSONField(_("Übersetzungen"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Frage")
        verbose_name_plural = _("Fragen")
        ordering = ["questionnaire", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "order"], name="question_order_per_questionnaire"
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)


class Choice(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("Frage")
    )
    order = models.PositiveSmallIntegerField(_("Reihenfolge"))
    label = models.CharField(_("Antwortmöglichkeit"), max_length=200)
    # {"tr": {"label": …}, …}
    translations = models.JSONField(_("Übersetzungen"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Antwortmöglichkeit")
        verbose_name_plural = _("Antwortmöglichkeiten")
        ordering = ["question", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "order"], name="choice_order_per_question")
        ]

    def __str__(self) -> str:
        return self.label


class Invitation(models.Model):
    """A personal link to answer one questionnaire once, without an account. The token is the
    only credential: unguessable (``secrets.token_urlsafe``), unique, never reused."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("Fragebogen"),
    )
    email = models.EmailField(_("E-Mail-Adresse"))
    token = models.CharField(_("Schlüssel"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angelegt von"),
    )
    created_at = models.DateTimeField(_("angelegt am"))

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")
        ordering = ["questionnaire", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "email"], name="one_invitation_per_address"
            )
        ]

    def __str__(self) -> str:
        return self.email


class Response(models.Model):
    """One respondent's answers: a signed-in account's (public questionnaires) or an
    invitation's. A draft can be changed; a submitted response is final."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        SUBMITTED = "submitted", _("abgeschickt")

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="responses",
        verbose_name=_("Fragebogen"),
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaire_responses",
        verbose_name=_("Konto"),
    )
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response",
        verbose_name=_("Einladung"),
    )
    state = models.CharField(
        pgettext_lazy("response", "Zustand"),
        max_length=10,
        choices=State.choices,
        default=State.DRAFT,
    )
    receipt = models.CharField(_("Eingangsnummer"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("begonnen am"))
    updated_at = models.DateTimeField(_("zuletzt gespeichert am"))
    submitted_at = models.DateTimeField(_("abgeschickt am"), null=True, blank=True)
    # The interface language the answers were given in (evaluation counts per language).
    language = models.CharField(_("Sprache"), max_length=10, blank=True, default="")

    class Meta:
        verbose_name = _("Antwortbogen")
        verbose_name_plural = _("Antwortbögen")
        ordering = ["questionnaire", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(respondent__isnull=False, invitation__isnull=True)
                | Q(respondent__isnull=True, invitation__isnull=False),
                name="response_by_account_or_invitation",
            ),
            models.UniqueConstraint(
                fields=["questionnaire", "respondent"],
                condition=Q(respondent__isnull=False),
                name="one_response_per_account",
            ),
            models.UniqueConstraint(
                fields=["receipt"], condition=~Q(receipt=""), name="receipt_unique"
            ),
            models.CheckConstraint(
                condition=Q(state="draft", submitted_at__isnull=True)
                | Q(state="submitted", submitted_at__isnull=False),
                name="submitted_response_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} #{self.pk}"


class Answer(models.Model):
    """The answer to one question. Free-text answers of submitted responses are feedback:
    they can be linked to a goal and get a disposition, like a comment."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("Antwortbogen")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("Frage")
    )
    choices: models.ManyToManyField = models.ManyToManyField(
        Choice, blank=True, related_name="+", verbose_name=_("gewählt")
    )
    scale = models.PositiveSmallIntegerField(_("Skalenwert"), null=True, blank=True)
    text = models.TextField(_("Freitext"), blank=True)
    goal = models.ForeignKey(
        Goal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaire_answers",
        verbose_name=_("bezogen auf Ziel"),
    )

    class Meta:
        verbose_name = _("Antwort")
        verbose_name_plural = _("Antworten")
        ordering = ["response", "question__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="one_answer_per_question"
            ),
            models.CheckConstraint(
                condition=Q(scale__isnull=True) | Q(scale__gte=SCALE_MIN, scale__lte=SCALE_MAX),
                name="answer_scale_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.text[:40] or self.scale or ''}"

    # The feedback interface the round report reads (``round_selectors.FeedbackItem``).
    @property
    def author(self) -> Any:
        """The account that answered; None for an invitee (who needs none)."""
        return self.response.respondent

    @property
    def created_at(self) -> datetime:
        return self.response.submitted_at or self.response.updated_at

    @property
    def feedback_text(self) -> str:
        return f"{self.question.text}\n\n{self.text}"


class Contribution(ModerationRecord):
    """A registered citizen's idea for an action field, or a question or opinion on the
    concept page. Public once moderation approves it."""

    class Kind(models.TextChoices):
        IDEA = "idea", _("Idee")
        QUESTION = "question", _("Frage")
        OPINION = "opinion", _("Meinung")

    class State(models.TextChoices):
        PENDING = "pending", _("wartet auf Freigabe")
        APPROVED = "approved", _("freigegeben")
        REJECTED = "rejected", _("nicht freigegeben")

    concept = models.ForeignKey(
        Concept,
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("Konzept"),
    )
    action_field = models.ForeignKey(
        ActionField,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("Handlungsfeld"),
    )
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("eingereicht von"),
    )
    title = models.CharField(_("Titel"), max_length=200, blank=True)
    body = models.TextField(_("Text (Markdown)"))
    body_html = models.TextField(_("Text (HTML, bereinigt)"))
    state = models.CharField(
        pgettext_lazy("contribution", "Zustand"),
        max_length=10,
        choices=State.choices,
        default=State.PENDING,
    )
    goal = models.ForeignKey(
        Goal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("bezogen auf Ziel"),
    )
    created_at = models.DateTimeField(_("eingereicht am"))

    class Meta:
        verbose_name = _("Beitrag")
        verbose_name_plural = _("Beiträge")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="idea") | Q(action_field__isnull=False),
                name="idea_names_its_action_field",
            )
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="contribution_queue")]

    def __str__(self) -> str:
        return self.title or self.body[:40]

    @property
    def feedback_text(self) -> str:
        return f"{self.title}\n\n{self.body}" if self.title else self.body


class ContributionReport(models.Model):
    """Someone flagged a public contribution; moderation hides it or dismisses the report."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="reports", verbose_name=_("Beitrag")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gemeldet von"),
    )
    reason = models.CharField(_("Grund"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("gemeldet am"))
    resolved_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erledigt von"),
    )

    class Meta:
        verbose_name = _("Meldung")
        verbose_name_plural = _("Meldungen")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.contribution_id}: {self.reason[:40]}"
