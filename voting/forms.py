"""Forms of the vote pages. They shape input for the services and nothing more: which
choices are valid, who may cast and when is decided by ``voting.services``."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from attendance.models import MotionAttendance
from deliberation.models import Goal
from voting import presentation, services, tally
from voting.models import REJECTED_GOAL_STATUSES, Ballot, Motion

# A line of three or more dashes separates alternative wordings.
SEPARATOR = re.compile(r"^[ \t]*-{3,}[ \t]*\r?$", re.MULTILINE)


class BallotForm(forms.Form):
    """One ballot: a choice (consent, majority) or 0–10 per alternative (resistance)."""

    reason = forms.CharField(
        label=_("Begründung"),
        required=False,
        max_length=services.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("Ich habe meine Auswahl geprüft und gebe diese Stimme ab."), required=True
    )

    def __init__(self, *args: Any, motion: Motion, ballot: Ballot | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.motion = motion
        reason_help = _("Freiwillig; bei einem Veto erforderlich.")
        if motion.secret:
            reason_help = _(
                "Freiwillig; bei einem Veto erforderlich. Begründungen werden mit dem Ergebnis "
                "veröffentlicht – bei dieser geheimen Abstimmung ohne Namen."
            )
        self.fields["reason"].help_text = reason_help
        if motion.method == tally.RESISTANCE:
            for alt in motion.alternatives.all():
                self.fields[f"resistance_{alt.label}"] = forms.IntegerField(
                    label=_("Widerstand gegen Fassung %(label)s") % {"label": alt.label},
                    min_value=tally.RESISTANCE_MIN,
                    max_value=tally.RESISTANCE_MAX,
                    help_text=_("0 = kein Widerstand, 10 = stärkster Widerstand"),
                    initial=(ballot.resistances or {}).get(alt.label) if ballot else None,
                )
        else:
            self.fields["choice"] = forms.ChoiceField(
                label=_("Ihre Wahl"),
                choices=presentation.choice_options(motion.method),
                widget=forms.RadioSelect,
                initial=ballot.choice if ballot else None,
            )
        if ballot is not None:
            self.fields["reason"].initial = ballot.reason
        self.order_fields(["choice", *sorted(f for f in self.fields if f.startswith("res"))])

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.motion.method == tally.RESISTANCE:
            resistances = {
                key.removeprefix("resistance_"): value
                for key, value in data.items()
                if key.startswith("resistance_")
            }
            return {"choice": "", "resistances": resistances, "reason": data["reason"]}
        return {"choice": data["choice"], "resistances": None, "reason": data["reason"]}


class MotionCloseForm(forms.Form):
    rejected_goal_status = forms.ChoiceField(
        label=_("Falls nicht angenommen, geht das Ziel"),
        choices=[
            (Goal.Status.REVISED.value, _("zurück zur Überarbeitung")),
            (Goal.Status.REJECTED.value, _("in den Status „Abgelehnt“")),
        ],
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("Abstimmung jetzt schließen und das Ergebnis veröffentlichen"), required=True
    )


class GoalChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        version = obj.current_version
        return f"{obj.title} ({_('Fassung')} {version.number})" if version else str(obj.title)


class MotionOpenForm(forms.Form):
    goals = GoalChoiceField(
        label=_("Ziele"),
        queryset=Goal.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Je Ziel eine eigene Abstimmung auf seiner aktuellen Fassung."),
    )
    method = forms.ChoiceField(
        label=_("Verfahren"), choices=Motion.Method.choices, widget=forms.RadioSelect
    )
    quorum = forms.CharField(
        label=_("Quorum"),
        initial="1/2",
        max_length=20,
        help_text=_("Anteil der Stimmberechtigten, der teilnehmen muss, z. B. 1/2."),
    )
    roll_call = forms.BooleanField(
        label=_(
            "Mit der letzten abgeschlossenen Anwesenheitsfeststellung: Vertretungen stimmen "
            "für abwesende Mitglieder"
        ),
        required=False,
    )
    quorum_basis = forms.ChoiceField(
        label=_("Quorum bezogen auf"),
        choices=MotionAttendance.QuorumBasis.choices,
        initial=MotionAttendance.QuorumBasis.ELIGIBLE,
        required=False,
        help_text=_(
            "„Die anwesenden Stimmberechtigten“ zählt das Quorum über die bei der letzten "
            "abgeschlossenen Anwesenheitsfeststellung Anwesenden."
        ),
    )
    threshold = forms.CharField(
        label=_("Schwelle"),
        required=False,
        max_length=20,
        help_text=_(
            "Anteil der Zustimmung unter den nicht enthaltenen Stimmen. Leer: Konsent "
            "mindestens 2/3, Mehrheit mehr als 1/2."
        ),
    )
    threshold_mode = forms.ChoiceField(
        label=_("Schwellenart"),
        required=False,
        choices=[
            ("", _("Standard des Verfahrens")),
            (tally.AT_LEAST, _("mindestens (≥)")),
            (tally.MORE_THAN, _("mehr als (>)")),
        ],
    )
    veto_blocks = forms.BooleanField(
        label=_("Ein Veto blockiert (Konsent)"), required=False, initial=True
    )
    secret = forms.BooleanField(label=_("Geheime Abstimmung"), required=False)
    changeable = forms.BooleanField(
        label=_("Stimmen bis zum Schluss änderbar"), required=False, initial=True
    )
    deadline = forms.DateTimeField(
        label=_("Frist"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Optional. Zur Frist schließt der Server die Abstimmung von selbst."),
    )
    rejected_goal_status = forms.ChoiceField(
        label=_("Falls nicht angenommen"),
        choices=REJECTED_GOAL_STATUSES,
        initial=Goal.Status.REVISED,
        help_text=_("Gilt beim Ablauf der Frist; beim Schließen können Sie neu wählen."),
    )
    alternatives = forms.CharField(
        label=_("Alternative Fassungen (nur Widerstandsabfrage)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("2 bis 8 Fassungen, getrennt durch eine Zeile mit drei Bindestrichen (---)."),
    )

    def __init__(self, *args: Any, goals: QuerySet[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goals_field = self.fields["goals"]
        assert isinstance(goals_field, GoalChoiceField)
        goals_field.queryset = goals

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        texts = [part.strip() for part in SEPARATOR.split(data["alternatives"])]
        return {
            "goal_ids": [goal.pk for goal in data["goals"]],
            "method": data["method"],
            "quorum": data["quorum"],
            "threshold": data["threshold"] or None,
            "threshold_mode": data["threshold_mode"] or None,
            "veto_blocks": data["veto_blocks"],
            "secret": data["secret"],
            "changeable": data["changeable"],
            "deadline": data["deadline"],
            "alternatives": [text for text in texts if text],
            "rejected_goal_status": data["rejected_goal_status"],
            "roll_call": data["roll_call"],
            "quorum_basis": data["quorum_basis"] or None,
        }
