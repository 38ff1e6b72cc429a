"""The evaluation report of a round: per goal, the feedback, its disposition and response,
and the resulting change; as data (JSON), Markdown and CSV. Built from the selectors only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from deliberation import anchors, payloads
from deliberation.models import AgendaItem, Disposition, GoalVersion, HandRaise, Idea, Round
from deliberation.rounds import selectors as round_selectors
from deliberation.rounds.feedback_sources import public_feedback
from deliberation.rounds.selectors import FeedbackItem
from deliberation.speakers import turn_log
from kernel.times import utc_iso, utc_iso_or_none


@dataclass
class GoalSection:
    item: AgendaItem
    aggregate: dict[str, Any]
    feedback: list[FeedbackItem] = field(default_factory=list)
    carried: list[FeedbackItem] = field(default_factory=list)
    versions: list[GoalVersion] = field(default_factory=list)
    # The public's feedback linked to the goal: contributions and questionnaire answers.
    public: list[FeedbackItem] = field(default_factory=list)

    @property
    def goal(self) -> Any:
        return self.item.goal


@dataclass
class RoundReport:
    round: Round
    goals: list[GoalSection]
    ideas: list[FeedbackItem]
    carried_ideas: list[FeedbackItem]
    generated_at: datetime
    # Public ideas for the circle's action field not linked to a goal.
    public_ideas: list[FeedbackItem] = field(default_factory=list)
    # The turn log: every turn given during the round (``deliberation.speakers``).
    turns: list[HandRaise] = field(default_factory=list)

    def all_feedback(self) -> list[tuple[GoalSection | None, FeedbackItem, bool]]:
        """Every row of the report: (goal section or None for ideas, item, carried over)."""
        rows: list[tuple[GoalSection | None, FeedbackItem, bool]] = []
        for section in self.goals:
            rows += [(section, item, False) for item in section.feedback]
            rows += [(section, item, True) for item in section.carried]
            rows += [(section, item, False) for item in section.public]
        rows += [(None, item, False) for item in self.ideas]
        rows += [(None, item, True) for item in self.carried_ideas]
        rows += [(None, item, False) for item in self.public_ideas]
        return rows

    @property
    def total(self) -> int:
        return len(self.all_feedback())

    @property
    def decided(self) -> int:
        return sum(1 for _s, item, _c in self.all_feedback() if item.disposition is not None)

    @property
    def open(self) -> int:
        return sum(1 for _s, item, _c in self.all_feedback() if not item.settled)


def build_round_report(round_: Round) -> RoundReport:
    """Precondition: the caller may view the round's room."""
    agenda = round_selectors.round_agenda(round_)
    aggregates = round_selectors.rating_aggregates(round_)
    said = round_selectors.round_feedback(round_)
    carried = round_selectors.carried_feedback(round_)
    public = public_feedback(round_, goal_ids=[item.goal_id for item in agenda])
    # The resulting change of a goal: the versions after the one this round discussed, up to
    # the one the room's next round on the goal discussed.
    later_items = AgendaItem.objects.filter(
        round__circle_id=round_.circle_id,
        round__number__gt=round_.number,
        goal_id__in=[item.goal_id for item in agenda],
    ).select_related("version")
    next_version: dict[int, int] = {}
    for later in later_items.order_by("-round__number"):
        next_version[later.goal_id] = later.version.number
    discussed = {item.goal_id: item.version.number for item in agenda}
    versions_by_goal: dict[int, list[GoalVersion]] = {}
    for version in (
        GoalVersion.objects.filter(goal_id__in=[item.goal_id for item in agenda])
        .select_related("author")
        .order_by("goal_id", "number")
    ):
        upper = next_version.get(version.goal_id)
        if version.number > discussed[version.goal_id] and (
            upper is None or version.number <= upper
        ):
            versions_by_goal.setdefault(version.goal_id, []).append(version)
    sections = [
        GoalSection(
            item=item,
            aggregate=aggregates.get(item.goal_id)
            or payloads.rating_aggregate_data(round_, item.goal_id, []),
            feedback=[f for f in said if f.kind == "comment" and f.goal_id == item.goal_id],
            carried=[
                f
                for f in carried
                if f.kind in ("comment", "vote_reason") and f.goal_id == item.goal_id
            ],
            versions=versions_by_goal.get(item.goal_id, []),
            public=public.by_goal.get(item.goal_id, []),
        )
        for item in agenda
    ]
    # Where each anchored comment stands in the newest version (deliberation.anchors):
    # ``placement`` on the comment, for the page and the Markdown.
    comments = [f.obj for s in sections for f in s.feedback + s.carried if f.kind == "comment"]
    placed = anchors.latest_placements([c.pk for c in comments])
    for comment in comments:
        comment.placement = placed.get(comment.pk)
    return RoundReport(
        round=round_,
        goals=sections,
        ideas=[f for f in said if f.kind == "idea"],
        carried_ideas=[f for f in carried if f.kind == "idea"],
        generated_at=timezone.now(),
        public_ideas=public.ideas,
        turns=turn_log(round_id=round_.pk),
    )


# --- data ----------------------------------------------------------------------------------


def _version_ref(version: GoalVersion) -> dict[str, Any]:
    return {
        "id": version.pk,
        "goal": version.goal_id,
        "number": version.number,
        "change_note": version.change_note,
        "created_at": utc_iso(version.created_at),
    }


def _seconds(turn: HandRaise) -> int | None:
    if turn.started_at is None or turn.ended_at is None:
        return None
    return round((turn.ended_at - turn.started_at).total_seconds())


def turn_data(turn: HandRaise) -> dict[str, Any]:
    """One turn of the log: who, on which goal, from, to (ISO 8601; ``ended_at`` None while
    still speaking), how long, whether a point of order."""
    return {
        "id": turn.pk,
        "user": payloads.person(turn.user),
        "goal": turn.goal_id,
        "goal_title": turn.goal.title if turn.goal is not None else None,
        "point_of_order": turn.point_of_order,
        "first_time": turn.first_time,
        "started_at": utc_iso_or_none(turn.started_at),
        "ended_at": utc_iso_or_none(turn.ended_at),
        "seconds": _seconds(turn),
        "limit": turn.time_limit,
    }


def report_data(report: RoundReport) -> dict[str, Any]:
    round_ = report.round
    return {
        "round": {
            "id": round_.pk,
            "number": round_.number,
            "circle": {"id": round_.circle_id, "slug": round_.circle.slug},
            "phase": round_.phase,
            "opened_at": utc_iso(round_.opened_at),
        },
        "generated_at": utc_iso(report.generated_at),
        "summary": {"feedback": report.total, "decided": report.decided, "open": report.open},
        "goals": [
            {
                "goal": {
                    "id": section.goal.pk,
                    "title": section.goal.title,
                    "status": section.goal.status,
                },
                "ratings": section.aggregate,
                "feedback": [item.as_dict() for item in section.feedback],
                "carried_over": [item.as_dict() for item in section.carried],
                "versions": [_version_ref(v) for v in section.versions],
                "public_feedback": [item.as_dict() for item in section.public],
            }
            for section in report.goals
        ],
        "ideas": [item.as_dict() for item in report.ideas],
        "carried_over_ideas": [item.as_dict() for item in report.carried_ideas],
        "turns": [turn_data(turn) for turn in report.turns],
        "public_ideas": [item.as_dict() for item in report.public_ideas],
    }


# --- text exports ----------------------------------------------------------------------------


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _name(user: Any) -> str:
    data = payloads.person(user)
    return data["name"] if data else ""


def _kind_label(item: FeedbackItem) -> str:
    if item.label is not None:  # a concern or veto: "Veto aus Abstimmung Nr. 7"
        return item.label
    if item.kind == "contribution":
        return _("Öffentlicher Beitrag")
    if item.kind == "answer":
        return _("Antwort im Fragebogen")
    return _("Idee") if item.kind == "idea" else _("Kommentar")


def _disposition_label(disposition: Disposition | None) -> str:
    if disposition is None:
        return _("noch offen")
    return str(Disposition.Value(disposition.value).label)


def _versions_label(item: FeedbackItem) -> str:
    return ", ".join(
        _("Fassung %(n)s") % {"n": v.number}
        if v.goal_id == item.goal_id
        else _("Ziel %(goal)s, Fassung %(n)s") % {"goal": v.goal_id, "n": v.number}
        for v in item.versions
    )


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def _markdown_item(item: FeedbackItem, *, carried: bool) -> list[str]:
    origin = (
        _("aus Runde %(n)s") % {"n": item.round_number}
        if item.round_number
        else _("aus der freien Diskussion")
    )
    head = f"#### {_kind_label(item)} {item.pk} – {_name(item.author)}, {_when(item.created_at)}"
    if item.kind == "vote_reason":  # from a vote, not from a round; secret: no name
        author = _name(item.author) or _("geheime Abstimmung")
        head = f"#### {_kind_label(item)} – {author}, {_when(item.created_at)}"
        origin = _("aus der Abstimmung")
    if carried:
        head += f" ({_('übernommen')}, {origin})"
    lines = [head, "", _quote(item.text), ""]
    disposition = item.disposition
    lines.append(f"- **{_('Entscheidung')}:** {_disposition_label(disposition)}")
    if disposition is not None:
        lines.append(f"- **{_('Antwort')}:** {disposition.response}")
        lines.append(
            f"- **{_('von')}:** {_name(disposition.decided_by)}, {_when(disposition.decided_at)}"
        )
    if isinstance(item.obj, Idea) and item.obj.resulting_goal_id:
        lines.append(f"- **{_('Neues Ziel')}:** {item.obj.resulting_goal}")
    placement = getattr(item.obj, "placement", None)
    if placement is not None:
        where = _("%(state)s in Fassung %(n)s") % {
            "state": placement.get_state_display(),
            "n": placement.version.number,
        }
        lines.append(f"- **{_('Stelle im Text')}:** {where}")
    changes = _versions_label(item)
    lines.append(f"- **{_('Umgesetzt in')}:** {changes or '–'}")
    lines.append("")
    return lines


def report_markdown(report: RoundReport) -> str:
    round_ = report.round
    lines = [
        "# "
        + _("Auswertung der Runde %(n)s – %(circle)s")
        % {"n": round_.number, "circle": round_.circle.title},
        "",
        f"- **{_('Phase')}:** {Round.Phase(round_.phase).label}",
        f"- **{_('Eröffnet')}:** {_when(round_.opened_at)}",
        f"- **{_('Rückmeldungen')}:** {report.total} "
        f"({_('entschieden')}: {report.decided}, {_('offen')}: {report.open})",
        f"- **{_('Stand')}:** {_when(report.generated_at)}",
        "",
    ]
    for section in report.goals:
        goal = section.goal
        lines += [f"## {section.item.order}. {goal.title}", ""]
        aggregate = section.aggregate
        if aggregate["count"]:
            lines.append(
                _(
                    "Stimmungsbild: %(count)s Bewertungen, Mittelwert %(mean)s, "
                    "Überarbeitung nötig: %(rework)s"
                )
                % {
                    "count": aggregate["count"],
                    "mean": number_format(aggregate["mean"]),
                    "rework": aggregate["needs_rework"],
                }
            )
        else:
            lines.append(_("Stimmungsbild: keine Bewertungen"))
        lines.append("")
        if section.versions:
            lines += [f"### {_('Ergebnis')}", ""]
            for version in section.versions:
                note = version.change_note or _("ohne Änderungsnotiz")
                lines.append(
                    f"- {_('Fassung %(n)s') % {'n': version.number}} "
                    f"({_when(version.created_at)}): {note}"
                )
            lines.append("")
        lines += [f"### {_('Rückmeldungen')}", ""]
        if not section.feedback and not section.carried:
            lines += [_("Keine Rückmeldungen."), ""]
        for item in section.feedback:
            lines += _markdown_item(item, carried=False)
        for item in section.carried:
            lines += _markdown_item(item, carried=True)
        for item in section.public:
            lines += _markdown_item(item, carried=False)
    if report.ideas or report.carried_ideas:
        lines += [f"## {_('Neue Ideen')}", ""]
        for item in report.ideas:
            lines += _markdown_item(item, carried=False)
        for item in report.carried_ideas:
            lines += _markdown_item(item, carried=True)
    if report.public_ideas:
        lines += [f"## {_('Öffentliche Ideen')}", ""]
        for item in report.public_ideas:
            lines += _markdown_item(item, carried=False)
    if report.turns:
        lines += [f"## {_('Redeliste')}", ""]
        for turn in report.turns:
            lines.append(_markdown_turn(turn))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _iso(value: datetime | None) -> str:
    """A time as spreadsheets and scripts sort it (ISO 8601, local time with its offset)."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _turn_notes(turn: HandRaise) -> str:
    notes = []
    if turn.point_of_order:
        notes.append(_("Geschäftsordnungsantrag"))
    if turn.goal is not None:
        notes.append(turn.goal.title)
    return ", ".join(notes)


def _markdown_turn(turn: HandRaise) -> str:
    until = _iso(turn.ended_at) or _("spricht noch")
    seconds = _seconds(turn)
    duration = f" ({_('%(n)s s') % {'n': seconds}})" if seconds is not None else ""
    notes = _turn_notes(turn)
    return f"- {_name(turn.user)}: {_iso(turn.started_at)} – {until}{duration}" + (
        f" – {notes}" if notes else ""
    )


CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """Text as a spreadsheet shows it, never as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


def report_csv_rows(report: RoundReport) -> list[list[str]]:
    """The feedback table (times in ISO 8601, so spreadsheets sort them)."""
    header = [
        _("Runde"),
        _("Ziel-Nr."),
        _("Ziel"),
        _("Art"),
        _("Nr."),
        _("übernommen aus Runde"),
        _("von"),
        _("am"),
        _("Rückmeldung"),
        _("Entscheidung"),
        _("Antwort"),
        _("entschieden von"),
        _("entschieden am"),
        _("umgesetzt in"),
    ]
    rows = [header]
    for section, item, carried in report.all_feedback():
        disposition = item.disposition
        origin = ""
        if carried and item.kind == "vote_reason":
            origin = _("Abstimmung Nr. %(n)s") % {"n": item.obj.motion_id}
        elif carried:
            origin = str(item.round_number) if item.round_number else _("freie Diskussion")
        rows.append(
            [
                _cell(v)
                for v in (
                    report.round.number,
                    section.goal.pk if section else "",
                    section.goal.title if section else "",
                    _kind_label(item),
                    item.pk,
                    origin,
                    _name(item.author),
                    _iso(item.created_at),
                    item.text,
                    _disposition_label(disposition),
                    disposition.response if disposition else "",
                    _name(disposition.decided_by) if disposition else "",
                    _iso(disposition.decided_at) if disposition else "",
                    _versions_label(item),
                )
            ]
        )
    return rows


def turn_csv_rows(report: RoundReport) -> list[list[str]]:
    """The turn log as a table of its own (times in ISO 8601)."""
    header = [
        _("Runde"),
        _("Nr."),
        _("von"),
        _("Ziel-Nr."),
        _("Ziel"),
        _("Beginn"),
        _("Ende"),
        _("Dauer (s)"),
        _("Redezeit (s)"),
        _("Geschäftsordnungsantrag"),
    ]
    rows = [header]
    for turn in report.turns:
        rows.append(
            [
                _cell(v)
                for v in (
                    report.round.number,
                    turn.pk,
                    _name(turn.user),
                    turn.goal_id or "",
                    turn.goal.title if turn.goal is not None else "",
                    _iso(turn.started_at),
                    _iso(turn.ended_at),
                    _seconds(turn) if _seconds(turn) is not None else "",
                    turn.time_limit or "",
                    _("ja") if turn.point_of_order else _("nein"),
                )
            ]
        )
    return rows


def report_csv(report: RoundReport) -> str:
    """The feedback table; after an empty row and a title row the turn log, if any."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(report_csv_rows(report))
    if report.turns:
        writer.writerows([[], [_("Redeliste")], *turn_csv_rows(report)])
    return buffer.getvalue()
