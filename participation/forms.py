"""Forms of the participation pages. They shape input for the services and nothing more:
whether a questionnaire takes answers, who may moderate and when a deadline has passed is
decided by ``participation.services``.

Every form works without JavaScript; the honeypot field ``website`` is hidden from people
(CSS ``display: none``, not focusable) and left empty by them.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliberation.models import ActionField, Disposition, Goal
from participation import services
from participation.models import (
    SCALE_MAX,
    SCALE_MIN,
    Contribution,
    Question,
    Questionnaire,
)

ADDRESS_SEPARATORS = re.compile(r"[\s,;]+")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _datetime_field(label: Any, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text=help_text,
    )


class HoneypotMixin(forms.Form):
    website = forms.CharField(
        label=_("Bitte leer lassen"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


# --- questionnaires --------------------------------------------------------------------------


class QuestionnaireForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=services.TITLE_MAX_LENGTH)
    intro = forms.CharField(
        label=_("Einleitung"),
        required=False,
        max_length=services.INTRO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Wird über den Fragen angezeigt; Markdown ist möglich."),
    )
    action_field = forms.ModelChoiceField(
        label=_("Handlungsfeld"),
        queryset=ActionField.objects.none(),
        required=False,
        empty_label=_("– das ganze Konzept –"),
    )
    distribution = forms.ChoiceField(
        label=_("Verteilung"),
        choices=Questionnaire.Distribution.choices,
        widget=forms.RadioSelect,
        initial=Questionnaire.Distribution.PUBLIC,
    )
    deadline = _datetime_field(
        _("Antworten bis"), _("Ortszeit; leer: bis der Fragebogen geschlossen wird.")
    )

    def __init__(self, *args: Any, fields: QuerySet[ActionField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action_field"].queryset = fields  # type: ignore[attr-defined]


class QuestionnaireEditForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=services.TITLE_MAX_LENGTH)
    intro = forms.CharField(
        label=_("Einleitung"),
        required=False,
        max_length=services.INTRO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    deadline = _datetime_field(_("Antworten bis"), _("Ortszeit; leer: ohne Frist."))


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Frage"), max_length=services.QUESTION_MAX_LENGTH)
    kind = forms.ChoiceField(
        label=_("Art der Antwort"), choices=Question.Kind.choices, widget=forms.RadioSelect
    )
    choices = forms.CharField(
        label=_("Antwortmöglichkeiten"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Nur bei Auswahlfragen: eine Möglichkeit je Zeile (2 bis 20)."),
    )
    hint = forms.CharField(
        label=_("Hinweis zur Frage"), required=False, max_length=services.QUESTION_MAX_LENGTH
    )
    required = forms.BooleanField(label=_("Pflichtfrage"), required=False, initial=True)
    goal = forms.ModelChoiceField(
        label=_("Bezieht sich auf das Ziel"),
        queryset=Goal.objects.none(),
        required=False,
        empty_label=_("– kein bestimmtes Ziel –"),
        help_text=_("Freitext-Antworten werden diesem Ziel zugeordnet und dort ausgewertet."),
    )

    def __init__(self, *args: Any, goals: QuerySet[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, question: Question) -> dict[str, Any]:
        return {
            "text": question.text,
            "kind": question.kind,
            "choices": "\n".join(c.label for c in question.choices.all()),
            "hint": question.hint,
            "required": question.required,
            "goal": question.goal_id,
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        goal = data["goal"]
        return {
            "kind": data["kind"],
            "text": data["text"],
            "hint": data["hint"],
            "required": data["required"],
            "goal_id": goal.pk if goal else None,
            "choices": [line.strip() for line in data["choices"].splitlines() if line.strip()],
        }


class IdeasDeadlineForm(forms.Form):
    deadline = _datetime_field(
        _("Ideen einreichen bis"),
        _("Ortszeit; leer: ohne Frist. Eine vergangene Zeit schließt die Ideen."),
    )


class OpenForm(forms.Form):
    deadline = _datetime_field(_("Antworten bis"), _("Ortszeit; leer: ohne Frist."))


class InvitationsForm(forms.Form):
    emails = forms.CharField(
        label=_("E-Mail-Adressen"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            "Eine Liste, getrennt durch Zeilen, Kommas oder Semikolons – z. B. aus einer "
            "Tabelle kopiert. Schon eingeladene Adressen behalten ihren Link."
        ),
    )

    def addresses(self) -> list[str]:
        return [a for a in ADDRESS_SEPARATORS.split(self.cleaned_data["emails"]) if a]


class ResponseForm(forms.Form):
    """The questions as form fields ``q<id>``. Nothing is required here so a draft can be
    saved half done; on submitting, ``clean`` names every required question left open."""

    def __init__(
        self,
        *args: Any,
        questions: list[Question],
        submitting: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.submitting = submitting
        for question in questions:
            self.fields[f"q{question.pk}"] = self._field(question)

    @staticmethod
    def _field(question: Question) -> forms.Field:
        common: dict[str, Any] = {
            "label": question.text,
            "required": False,
            "help_text": question.hint,
        }
        if question.kind == Question.Kind.SINGLE:
            return forms.TypedChoiceField(
                choices=[(c.pk, c.label) for c in question.choices.all()],
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                **common,
            )
        if question.kind == Question.Kind.MULTIPLE:
            return forms.TypedMultipleChoiceField(
                choices=[(c.pk, c.label) for c in question.choices.all()],
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        if question.kind == Question.Kind.SCALE:
            return forms.TypedChoiceField(
                choices=[(n, str(n)) for n in range(SCALE_MIN, SCALE_MAX + 1)],
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                **common,
            )
        return forms.CharField(
            max_length=services.ANSWER_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 4}),
            **common,
        )

    @classmethod
    def initial_from(cls, values: dict[int, Any]) -> dict[str, Any]:
        return {f"q{question_id}": value for question_id, value in values.items()}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.submitting:
            for question in self.questions:
                name = f"q{question.pk}"
                if question.required and cleaned.get(name) in (None, "", []):
                    self.add_error(name, _("Bitte beantworten Sie diese Frage."))
        return cleaned

    def answers(self) -> dict[int, Any]:
        return {
            question.pk: self.cleaned_data.get(f"q{question.pk}") for question in self.questions
        }


class ResultsFilterForm(forms.Form):
    q = forms.CharField(label=_("Suche in den Antworten"), required=False, max_length=200)
    goal = forms.ModelChoiceField(
        label=_("Ziel"), queryset=Goal.objects.none(), required=False, empty_label=_("– alle –")
    )
    state = forms.ChoiceField(
        label=_("Stand"),
        required=False,
        choices=[
            ("all", _("alle")),
            ("open", _("noch ohne Entscheidung")),
            ("decided", _("entschieden")),
            ("unlinked", _("keinem Ziel zugeordnet")),
        ],
    )

    def __init__(self, *args: Any, goals: QuerySet[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]


class GoalLinkForm(forms.Form):
    goal = forms.ModelChoiceField(
        label=_("Ziel"),
        queryset=Goal.objects.none(),
        required=False,
        empty_label=_("– keinem Ziel zugeordnet –"),
    )

    def __init__(self, *args: Any, goals: QuerySet[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]


class DispositionForm(forms.Form):
    value = forms.ChoiceField(
        label=_("Entscheidung"), choices=Disposition.Value.choices, widget=forms.RadioSelect
    )
    response = forms.CharField(
        label=_("Antwort"),
        max_length=services.RESPONSE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    addressed_in = forms.IntegerField(
        label=_("Umgesetzt in Fassung Nr."),
        required=False,
        min_value=1,
        help_text=_("Optional: die Fassung des Ziels, die diese Rückmeldung aufgenommen hat."),
    )


# --- contributions and accounts --------------------------------------------------------------


class IdeaForm(HoneypotMixin):
    action_field = forms.ModelChoiceField(
        label=_("Handlungsfeld"), queryset=ActionField.objects.none(), empty_label=None
    )
    title = forms.CharField(
        label=_("Titel Ihrer Idee"), max_length=services.CONTRIBUTION_TITLE_MAX_LENGTH
    )
    body = forms.CharField(
        label=_("Ihre Idee"),
        max_length=services.CONTRIBUTION_BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Höchstens 4000 Zeichen. Absätze durch Leerzeilen."),
    )

    field_order = ["action_field", "title", "body", "website"]

    def __init__(self, *args: Any, fields: QuerySet[ActionField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action_field"].queryset = fields  # type: ignore[attr-defined]


class OpinionForm(HoneypotMixin):
    kind = forms.ChoiceField(
        label=_("Ihr Beitrag ist"),
        choices=[
            (Contribution.Kind.QUESTION.value, _("eine Frage")),
            (Contribution.Kind.OPINION.value, _("eine Meinung")),
        ],
        widget=forms.RadioSelect,
        initial=Contribution.Kind.QUESTION.value,
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=services.CONTRIBUTION_BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Höchstens 4000 Zeichen. Die Moderation gibt Beiträge frei."),
    )

    field_order = ["kind", "body", "website"]


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Was ist daran problematisch?"),
        required=False,
        max_length=services.REPORT_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", _("freigeben")),
            ("reject", _("nicht freigeben")),
            ("dismiss", _("Meldungen zurückweisen")),
        ]
    )
    reason = forms.CharField(
        label=_("Begründung (sieht die Person, die es eingereicht hat)"),
        required=False,
        max_length=services.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SignUpForm(HoneypotMixin):
    name = forms.CharField(
        label=_("Ihr Name"),
        max_length=services.NAME_MAX_LENGTH,
        help_text=_("So erscheinen Ihre Beiträge öffentlich; ein Vorname genügt."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        max_length=services.EMAIL_MAX_LENGTH,
        help_text=_("Sie ist Ihr Benutzername und wird nicht veröffentlicht."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Passwort"),
        strip=False,
        help_text=_("Mindestens 8 Zeichen, nicht nur Ziffern, kein gängiges Passwort."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Passwort wiederholen"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["name", "email", "password", "password_again", "website"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", _("Die beiden Passwörter stimmen nicht überein."))
        return cleaned


def local_input(value: Any) -> str:
    """A stored moment as a ``datetime-local`` field shows it (local time, minutes)."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""
