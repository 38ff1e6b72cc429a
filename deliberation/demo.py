"""The demo: the integration concept 2021–2025 with its five action fields.

The seed page names the fields and the process; the goals below are our own plausible drafts.
``load_demo`` is idempotent: a second run finds everything in place and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from deliberation import services
from deliberation.models import ActionField, Circle, Concept, Goal, Membership

DEMO_PASSWORD = "konsens-demo"  # noqa: S105 - printed for the demo on purpose

PREAMBLE = (
    "Mit Integration ist ein dauerhafter Prozess der Eingliederung von Zuwanderern und "
    "Menschen mit Migrationshintergrund in das soziale und kulturelle Spektrum der "
    "Aufnahmegesellschaft gemeint. Innerhalb dieses Prozesses soll es zu einer Angleichung "
    "ihrer Lebenslagen kommen, ohne die eigene kulturelle Identität aufgeben zu müssen.\n\n"
    "Im Zentrum steht dabei der konstruktive Umgang aller Beteiligten mit Vielfalt und "
    "Verschiedenheit."
)

SUMMARY = (
    "Das Integrationskonzept setzt mit seinen Grundvoraussetzungen, Leitlinien, Handlungsfeldern "
    "und Zielen einen kommunalpolitischen Schwerpunkt bei der Integration. Expertenkreise "
    "bewerten für jedes Handlungsfeld die Ziele und bringen neue Ideen ein; nach der finalen "
    "Abstimmung werden die Handlungsziele in das Konzept aufgenommen."
)


@dataclass
class DemoField:
    slug: str
    title: str
    situation: str
    goals: list[tuple[str, str, str]] = field(default_factory=list)


FIELDS: list[DemoField] = [
    DemoField(
        "bildung-sprache",
        "Bildung & Sprache",
        "Sprache ist der Schlüssel zu Bildung, Arbeit und Teilhabe. Die Angebote reichen von "
        "der frühkindlichen Sprachförderung bis zu Berufssprachkursen, sind aber ungleich "
        "verteilt und oft wenig bekannt.",
        [
            (
                "Frühe Sprachförderung in allen Kitas",
                "Alle Kindertagesstätten der Stadt bieten alltagsintegrierte "
                "Sprachförderung an.\n\n"
                "Bis 2025 sind in jeder Einrichtung mindestens zwei Fachkräfte für sprachliche "
                "Bildung qualifiziert.",
                "Sprachstandserhebungen zeigen Förderbedarf bei einem Drittel der Vierjährigen.",
            ),
            (
                "Elternbegleitung beim Übergang Kita–Schule",
                "Eltern mit geringen Deutschkenntnissen werden beim Übergang in die Grundschule "
                "durch mehrsprachige Elternbegleiterinnen und -begleiter unterstützt.\n\n"
                "Informationsabende finden in den fünf häufigsten Familiensprachen statt.",
                "Übergänge entscheiden über Bildungswege; Eltern sind die wichtigsten Partner.",
            ),
            (
                "Wohnortnahe Integrations- und Sprachkurse",
                "In jedem Stadtteil gibt es mindestens ein Kursangebot Deutsch als Zweitsprache "
                "mit Kinderbetreuung.\n\nWartezeiten auf einen Kursplatz betragen höchstens "
                "drei Monate.",
                "Fehlende Kinderbetreuung hält vor allem Mütter von Kursen fern.",
            ),
            (
                "Anerkennung von Herkunftssprachen",
                "Herkunftssprachlicher Unterricht wird an weiterführenden Schulen als "
                "Wahlpflichtfach angeboten und im Zeugnis ausgewiesen.",
                "Mehrsprachigkeit ist eine Ressource, keine Lücke.",
            ),
        ],
    ),
    DemoField(
        "arbeit",
        "Arbeit",
        "Zugewanderte sind häufiger unter ihrer Qualifikation beschäftigt. Anerkennungsverfahren "
        "dauern lange, und Betriebe kennen die Fördermöglichkeiten zu wenig.",
        [
            (
                "Schnellere Anerkennung ausländischer Abschlüsse",
                "Eine zentrale Anlaufstelle berät zur Anerkennung von Berufsabschlüssen und "
                "begleitet die Verfahren.\n\nDie durchschnittliche Dauer bis zum Bescheid "
                "sinkt bis 2025 auf unter sechs Monate.",
                "Viele Verfahren scheitern an fehlender Begleitung, nicht an der Qualifikation.",
            ),
            (
                "Ausbildungspartnerschaften mit Betrieben",
                "Gemeinsam mit Kammern und Betrieben werden jährlich 100 zusätzliche "
                "Ausbildungsplätze mit begleitender Sprachförderung geschaffen.",
                "Ausbildung ist der verlässlichste Weg in stabile Beschäftigung.",
            ),
            (
                "Interkulturelle Öffnung der Stadtverwaltung",
                "Der Anteil der Beschäftigten mit Migrationshintergrund in der Stadtverwaltung "
                "nähert sich dem Anteil an der Bevölkerung an.\n\nStellenausschreibungen "
                "werden in einfacher Sprache veröffentlicht.",
                "Die Verwaltung soll die Stadtgesellschaft abbilden, der sie dient.",
            ),
        ],
    ),
    DemoField(
        "gesundheit",
        "Gesundheit",
        "Sprachbarrieren und fehlende Informationen erschweren den Zugang zum "
        "Gesundheitssystem; Angebote der Prävention erreichen Zugewanderte seltener.",
        [
            (
                "Sprachmittlung im Gesundheitswesen",
                "Ein kommunaler Pool qualifizierter Sprachmittlerinnen und Sprachmittler steht "
                "Praxen, Kliniken und Beratungsstellen kurzfristig zur Verfügung.",
                "Verständigung ist Voraussetzung für Diagnose und Behandlung.",
            ),
            (
                "Gesundheitslotsinnen und -lotsen in den Stadtteilen",
                "Geschulte Lotsinnen und Lotsen aus den Communities informieren in ihren "
                "Sprachen über Vorsorge, Impfungen und das Gesundheitssystem.",
                "Informationen wirken am besten über vertraute Personen.",
            ),
            (
                "Psychosoziale Versorgung Geflüchteter",
                "Die Wartezeit auf ein psychosoziales Erstgespräch für Geflüchtete beträgt "
                "höchstens vier Wochen.\n\nDafür werden Kapazitäten im Psychosozialen Zentrum "
                "ausgebaut.",
                "Unbehandelte Traumata erschweren jede weitere Integration.",
            ),
        ],
    ),
    DemoField(
        "sport",
        "Sport",
        "Sportvereine sind Orte der Begegnung. Mädchen und Frauen mit Migrationshintergrund "
        "sind in Vereinen deutlich unterrepräsentiert.",
        [
            (
                "Sportangebote für Mädchen und Frauen",
                "In jedem Stadtteil gibt es mindestens ein niedrigschwelliges Sportangebot "
                "ausschließlich für Mädchen und Frauen.",
                "Geschützte Räume senken die Schwelle zur ersten Teilnahme.",
            ),
            (
                "Integrationsbeauftragte in Sportvereinen",
                "Vereine werden bei der Benennung und Qualifizierung von "
                "Integrationsbeauftragten unterstützt; bis 2025 haben 30 Vereine eine solche "
                "Ansprechperson.",
                "Feste Ansprechpersonen machen Vereine zugänglicher.",
            ),
            (
                "Beitragsfreie Schnuppermitgliedschaften",
                "Neu zugewanderte Kinder und Jugendliche können ein Jahr beitragsfrei in einem "
                "Sportverein ihrer Wahl Mitglied sein.",
                "Kosten sind die häufigste genannte Hürde.",
            ),
        ],
    ),
    DemoField(
        "vielfalt-kultur-religion",
        "Vielfalt – Kultur – Religion",
        "Die Stadt ist vielfältig in Herkunft, Kultur und Religion. Begegnung und Dialog "
        "brauchen Orte, Anlässe und verlässliche Partner.",
        [
            (
                "Interreligiöser Dialog",
                "Ein Rat der Religionen trifft sich mindestens viermal im Jahr und gestaltet "
                "gemeinsam öffentliche Veranstaltungen.",
                "Dialog beugt Konflikten vor und macht Gemeinsamkeiten sichtbar.",
            ),
            (
                "Migrantenorganisationen stärken",
                "Migrantenorganisationen erhalten Zugang zu Räumen, Beratung und einer "
                "Grundförderung für ihre ehrenamtliche Arbeit.",
                "Selbstorganisationen sind Brücken in die Communities.",
            ),
            (
                "Vielfalt im Kulturprogramm",
                "Städtische Kultureinrichtungen beteiligen Künstlerinnen und Künstler mit "
                "Migrationsgeschichte an ihrem Programm und werben mehrsprachig.",
                "Kultur, die die Stadtgesellschaft zeigt, erreicht sie auch.",
            ),
            (
                "Schutz vor Diskriminierung",
                "Eine unabhängige Antidiskriminierungsstelle berät Betroffene und "
                "veröffentlicht jährlich einen Bericht.",
                "Diskriminierungserfahrungen untergraben Vertrauen in Institutionen.",
            ),
        ],
    ),
]

DEMO_USERS: list[tuple[str, str, str, bool]] = [
    # username, first name, last name, is_staff
    ("moderator", "Mara", "Moderatorin", False),
    ("expert1", "Ayşe", "Yılmaz", False),
    ("expert2", "Jonas", "Becker", False),
    ("expert3", "Olena", "Kovalenko", False),
    ("drafter", "David", "Redakteur", False),
    ("admin", "Ada", "Admin", True),
]

# The first goals of each field are already out for discussion, so the rooms have content.
GOALS_IN_DISCUSSION = 2


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.created.append(what)


def load_demo() -> DemoResult:
    """Create what is missing of the demo; never change what exists."""
    result = DemoResult()
    User = get_user_model()
    with transaction.atomic():
        users = {}
        for username, first, last, staff in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username,
                    password=DEMO_PASSWORD,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.org",
                    is_staff=staff,
                    is_superuser=staff,
                )
                result.note(f"user {username}")
            users[username] = user

        concept, created = Concept.objects.get_or_create(
            slug="integrationskonzept-2021-2025",
            defaults={
                "title": "Integrationskonzept 2021–2025",
                "period_start": 2021,
                "period_end": 2025,
                "resolution_reference": "Beschluss der Stadtverordnetenversammlung Nr. 0522",
                "summary": SUMMARY,
                "preamble": PREAMBLE,
                "status": Concept.Status.IN_PROGRESS,
                # Ideas are open for eight weeks from the day the demo is loaded, so a fresh
                # demo takes ideas; moderators move the deadline on the moderation page.
                "ideas_deadline": _ideas_deadline(),
                "contact_email": "Integrationskonzept@wiesbaden.de",
                "owner": "Amt für Zuwanderung und Integration",
            },
        )
        if created:
            result.note("concept")

        for order, spec in enumerate(FIELDS, start=1):
            action_field, created = ActionField.objects.get_or_create(
                slug=spec.slug,
                defaults={
                    "concept": concept,
                    "title": spec.title,
                    "initial_situation": spec.situation,
                    "order": order,
                },
            )
            if created:
                result.note(f"action field {spec.slug}")
            circles = [
                _circle(action_field, Circle.Kind.EXPERT_CIRCLE, spec.slug,
                        f"Expertenkreis {spec.title}", result),
                _circle(action_field, Circle.Kind.WORKING_GROUP, f"{spec.slug}-ag",
                        f"Arbeitsgruppe {spec.title}", result),
            ]  # fmt: skip
            for circle in circles:
                roles = [("moderator", Membership.Role.MODERATOR)]
                roles += [(f"expert{i}", Membership.Role.EXPERT) for i in (1, 2, 3)]
                if circle.kind == Circle.Kind.WORKING_GROUP:
                    roles += [("drafter", Membership.Role.DRAFTER)]
                for username, role in roles:
                    _m, made = Membership.objects.get_or_create(
                        user=users[username], circle=circle, role=role
                    )
                    if made:
                        result.note(f"membership {username}@{circle.slug}")
            if not action_field.goals.exists():
                for index, (title, text, rationale) in enumerate(spec.goals, start=1):
                    goal = services.goal_create(
                        actor=None,
                        action_field=action_field,
                        title=title,
                        text=text,
                        rationale=rationale,
                        order=index,
                    )
                    if index <= GOALS_IN_DISCUSSION:
                        services.goal_transition(
                            actor=None, goal=goal, to_status=Goal.Status.IN_DISCUSSION
                        )
                    result.note(f"goal {title}")
    return result


def _circle(
    action_field: ActionField, kind: str, slug: str, title: str, result: DemoResult
) -> Circle:
    circle, created = Circle.objects.get_or_create(
        slug=slug,
        defaults={"action_field": action_field, "kind": kind, "title": title, "is_public": True},
    )
    if created:
        result.note(f"circle {slug}")
    return circle


def _ideas_deadline() -> datetime:
    """Eight weeks from now, at 23:59 in Berlin."""
    day = timezone.localtime(timezone.now(), ZoneInfo("Europe/Berlin")) + timedelta(weeks=8)
    return day.replace(hour=23, minute=59, second=0, microsecond=0)
