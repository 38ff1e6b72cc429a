"""How a vote reads to people: labels of choices, the rule in words, chart rows. Display only;
the rule itself and the count are ``voting.tally``'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from django.utils import formats
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voting import tally

CHOICE_LABELS: dict[str, dict[str, Any]] = {
    tally.CONSENT: {
        "consent": gettext_lazy("Zustimmung"),
        "consent_with_concerns": gettext_lazy("Zustimmung mit Bedenken"),
        "abstain": gettext_lazy("Enthaltung"),
        "veto": gettext_lazy("Veto"),
    },
    tally.MAJORITY: {
        "yes": gettext_lazy("Ja"),
        "no": gettext_lazy("Nein"),
        "abstain": gettext_lazy("Enthaltung"),
    },
}
CHOICE_HINTS: dict[str, Any] = {
    "consent": gettext_lazy("Ich trage das Ziel in dieser Fassung mit."),
    "consent_with_concerns": gettext_lazy(
        "Ich trage es mit, habe aber Bedenken (bitte kurz begründen)."
    ),
    "abstain": gettext_lazy("Ich enthalte mich; zählt fürs Quorum, nicht für den Anteil."),
    "veto": gettext_lazy("Ich kann das Ziel so nicht mittragen (Begründung nötig)."),
}


def choice_label(method: str, choice: str) -> str:
    return str(CHOICE_LABELS.get(method, {}).get(choice, choice))


def choice_options(method: str) -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in CHOICE_LABELS.get(method, {}).items()]


def percent(part: int, whole: int) -> str:
    if not whole:
        return "–"
    # rounded here: number_format cuts off digits (2/3 would show as 66.6)
    return f"{formats.number_format(round(100 * part / whole, 1), 1, use_l10n=True)} %"


def share_text(share: str | Fraction) -> str:
    """ "2/3" → "2/3 (66,7 %)" in the active language's number format."""
    value = tally.parse_share(share) if isinstance(share, str) else share
    if value.denominator == 1:
        return f"{formats.number_format(float(100 * value), 0, use_l10n=True)} %"
    return f"{value.numerator}/{value.denominator} ({percent(value.numerator, value.denominator)})"


def deadline_text(value: str | datetime | None) -> str:
    if not value:
        return _("keine")
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return str(value)
    from django.utils import timezone

    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT", use_l10n=True)


def rule_lines(rule: dict[str, Any], eligible: int | None = None) -> list[tuple[str, str]]:
    """The rule fixed at opening, one (term, description) pair a line."""
    method = rule["method"]
    methods = {
        tally.CONSENT: _("Konsent (Zustimmung, Zustimmung mit Bedenken, Enthaltung, Veto)"),
        tally.MAJORITY: _("Mehrheit (Ja, Nein, Enthaltung)"),
        tally.RESISTANCE: _(
            "Widerstandsabfrage (systemisches Konsensieren): jede Fassung bekommt einen "
            "Widerstand von 0 bis 10; die Fassung mit dem geringsten Gesamtwiderstand gewinnt"
        ),
    }
    lines = [(_("Verfahren"), methods[method])]
    quorum = _("mindestens %(share)s der Stimmberechtigten nehmen teil") % {
        "share": share_text(rule["quorum"])
    }
    if eligible is not None:
        quorum += " " + _("(%(n)s Stimmberechtigte)") % {"n": eligible}
    lines.append((_("Quorum"), quorum))
    if method in (tally.CONSENT, tally.MAJORITY):
        supporting = _("Zustimmung") if method == tally.CONSENT else _("Ja-Stimmen")
        mode = _("mindestens") if rule["threshold_mode"] == tally.AT_LEAST else _("mehr als")
        lines.append(
            (
                _("Schwelle"),
                _("%(mode)s %(share)s %(what)s unter den nicht enthaltenen Stimmen")
                % {"mode": mode, "share": share_text(rule["threshold"]), "what": supporting},
            )
        )
    if method == tally.CONSENT:
        lines.append(
            (
                _("Veto"),
                _("Ein einziges Veto verhindert den Beschluss.")
                if rule["veto_blocks"]
                else _("Ein Veto zählt als Gegenstimme, blockiert aber nicht."),
            )
        )
    lines.append(
        (
            _("Stimmabgabe"),
            _("geheim – niemand sieht, wer wie gestimmt hat")
            if rule["secret"]
            else _("offen – nach dem Schluss wird veröffentlicht, wer wie gestimmt hat"),
        )
    )
    lines.append(
        (
            _("Änderungen"),
            _("Stimmen sind bis zum Schluss änderbar.")
            if rule["changeable"]
            else _("Eine abgegebene Stimme ist endgültig."),
        )
    )
    lines.append((_("Frist"), deadline_text(rule.get("deadline"))))
    return lines


# Geometry of the result chart (SVG user units): labels left, bars right, the value after.
CHART_ROW = 30
CHART_BAR_X = 215
CHART_BAR_MAX = 215


@dataclass
class ChartRow:
    key: str
    label: str
    value: int
    percent: str
    width: float  # of the bar area, 0–100
    highlight: bool = False
    index: int = 0

    # SVG attributes as plain strings: templates would localise floats ("12,5").
    @property
    def y(self) -> str:
        return str(self.index * CHART_ROW + 5)

    @property
    def text_y(self) -> str:
        return str(self.index * CHART_ROW + 5 + 17)

    @property
    def bar(self) -> str:
        return f"{CHART_BAR_MAX * self.width / 100:.1f}"

    @property
    def value_x(self) -> str:
        return f"{CHART_BAR_X + CHART_BAR_MAX * self.width / 100 + 6:.1f}"


def chart_rows(method: str, counts: dict[str, int], winner: str | None = None) -> list[ChartRow]:
    """Rows for the result chart and its table, in the order of the choices/alternatives."""
    if method == tally.RESISTANCE:
        keys = list(counts)
        labels = {key: _("Fassung %(label)s") % {"label": key} for key in keys}
    else:
        keys = [key for key in CHOICE_LABELS[method] if key in counts]
        labels = {key: choice_label(method, key) for key in keys}
    total = sum(counts.values())
    top = max(counts.values(), default=0)
    return [
        ChartRow(
            key=key,
            label=labels[key],
            value=counts[key],
            percent=percent(counts[key], total),
            width=round(100 * counts[key] / top, 2) if top else 0.0,
            highlight=key == winner,
            index=index,
        )
        for index, key in enumerate(keys)
    ]
