// The round in the room (docs/rounds.md): phase and agenda with the server-kept countdown for
// everybody; the moderator's console (open a round, start agenda items, switch the phase after
// a confirmation); the "Stimmungsbild" with rating controls for experts; new ideas and the
// moderator's decision on them; the evaluation workspace for drafters and the moderator.
//
// Everything is redrawn from the store after each round event. What someone is typing
// survives the redraw: values and focus of inputs with an id are carried over.

import { newClientKey } from "./connection.js";
import { PublicFeedbackPanel } from "./evaluation.js";
import { format, gettext as _, language } from "./i18n.js";

const PHASES = ["discussion", "evaluation", "revision"];
const PHASE_LABELS = {
  discussion: () => _("Diskussion"),
  evaluation: () => _("Auswertung"),
  revision: () => _("Überarbeitung"),
  closed: () => _("Abgeschlossen"),
};
const NEXT_PHASE = { discussion: "evaluation", evaluation: "revision", revision: "closed" };
const DISPOSITIONS = {
  accepted: () => _("angenommen"),
  partially_accepted: () => _("teilweise angenommen"),
  not_accepted: () => _("nicht angenommen"),
  answered: () => _("beantwortet"),
};
/** A disposition's value in words ("angenommen", …). */
export function dispositionLabel(value) {
  return DISPOSITIONS[value]?.() ?? value;
}

const GOAL_STATUSES = {
  draft: () => _("Entwurf"),
  in_discussion: () => _("In Diskussion"),
  revised: () => _("Überarbeitet"),
};
/** A goal's status in words, for the statuses a round may take up. */
function goalStatusLabel(status) {
  return GOAL_STATUSES[status]?.() ?? status;
}

const IDEA_STATES = {
  proposed: () => _("vorgeschlagen"),
  accepted: () => _("angenommen"),
  declined: () => _("abgelehnt"),
};

const numbers = new Intl.NumberFormat(language, { maximumFractionDigits: 1 });

/** The server's phase-feature table (deliberation/phases.py, embedded by the room page):
 * `{"free": ["comment", …], "discussion": […], …}`. Without it nothing is offered. */
function loadPhaseFeatures() {
  const node = document.getElementById("phase-features");
  try {
    return node ? JSON.parse(node.textContent) : {};
  } catch {
    return {};
  }
}

const PHASE_FEATURES = loadPhaseFeatures();

/** Whether a room whose active round is in `phase` (null: no round) allows `action`
 * ("comment", "rate", "propose_idea", "run_agenda", "set_disposition", "publish_revision"). */
export function phaseAllows(phase, action) {
  const key = phase === null || phase === undefined || phase === "closed" ? "free" : phase;
  return (PHASE_FEATURES[key] ?? []).includes(action);
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/** "mm:ss" (or "h:mm:ss") for a number of seconds ≥ 0. */
export function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/** Seconds left until an ISO `deadline`, by the server's clock (`serverNow` in ms). */
export function secondsLeft(deadline, serverNow) {
  return Math.max(0, (Date.parse(deadline) - serverNow) / 1000);
}

/** Wide screens show the round's workspace in a side column, its sections open. */
const WIDE = "(min-width: 60rem)";

export class RoundPanel {
  /** `element`: the round's workspace (a side column on desktop, after the comments on a
   * phone); `bar`: the compact bar above the goal (round, phase, current item's countdown). */
  constructor(element, view, bar = null) {
    this.element = element;
    this.bar = bar;
    this.view = view;
    this.timer = null;
    this.myRatings = new Map(); // goal → {support, needs_rework}: this person's own ratings
    this.ratingsLoaded = null; // the round whose saved own ratings were asked for
    this.dialog = null;
    this.opened = new Map(); // section key → open: what the reader opened or closed stays so
    this.preselect = null; // the goal "Neue Runde mit diesem Ziel eröffnen" chose
    this.publicFeedback = null; // the public's feedback in the evaluation (evaluation.js)
  }

  get store() {
    return this.view.store;
  }

  get part() {
    return this.store.state?.round ?? null;
  }

  get role() {
    return this.view.role;
  }

  /** What this person may do beyond the role (the welcome's `may`, docs/protocol.md): the
   * working group's drafter evaluates and revises here although a viewer of the room. */
  get may() {
    return this.store.may ?? {};
  }

  /** A goal of the field by id: in discussion, else one a round may take up. */
  fieldGoal(id) {
    return this.store.goal(id) ?? (this.store.state?.fieldGoals ?? []).find((g) => g.id === id) ?? null;
  }

  get phase() {
    return this.part?.round.phase ?? null;
  }

  /** May the room comment now? The server's phase-feature table says. */
  get commentsOpen() {
    return phaseAllows(this.phase, "comment");
  }

  /** The regions this panel draws into. */
  get regions() {
    return [this.bar, this.element].filter(Boolean);
  }

  render() {
    this.loadOwnRatings();
    const active = document.activeElement;
    const focusId = active && this.regions.some((r) => r.contains(active)) ? active.id : null;
    const values = new Map();
    for (const region of this.regions) {
      for (const input of region.querySelectorAll("input[id], textarea[id], select[id]")) {
        values.set(input.id, input.type === "checkbox" || input.type === "radio" ? input.checked : input.value);
      }
    }
    // Sections that do not apply are null: leave them out (replaceChildren would write "null").
    const present = (nodes) => nodes.filter((node) => node !== null && node !== undefined && node !== false);
    if (this.bar) this.bar.replaceChildren(...present(this.barContent()));
    const sections = present(this.sections());
    this.element.replaceChildren(...sections);
    this.element.hidden = sections.length === 0;
    for (const [id, value] of values) {
      const input = document.getElementById(id);
      if (!input || !this.regions.some((r) => r.contains(input))) continue;
      if (input.type === "checkbox" || input.type === "radio") input.checked = value;
      else input.value = value;
    }
    if (focusId) document.getElementById(focusId)?.focus();
    this.tick();
    clearInterval(this.timer);
    this.timer = this.currentItem()?.deadline ? setInterval(() => this.tick(), 1000) : null;
  }

  /** The compact bar above the goal: the round, its phase and the current item's countdown. */
  barContent() {
    if (!this.part) {
      return [
        el("h2", { id: "round-title", class: "round-bar__title", text: _("Freie Diskussion") }),
        el("p", { class: "round-bar__note muted", text: _("Zurzeit läuft keine Runde.") }),
      ];
    }
    const round = this.part.round;
    const canRate = this.mayRate(round) && this.part.ratings.some((a) => a.goal === this.view.selectedGoal);
    return [
      el(
        "h2",
        { id: "round-title", class: "round-bar__title" },
        format(_("Runde %(n)s"), { n: round.number }),
        " · ",
        el("span", { "data-round-phase": round.phase, text: PHASE_LABELS[round.phase]() }),
      ),
      this.countdown(),
      canRate
        ? el("a", {
            href: "#round-sec-rating",
            class: "round-bar__jump",
            text: _("Jetzt bewerten"),
            onclick: (event) => {
              event.preventDefault();
              this.reveal("rating");
            },
          })
        : null,
    ];
  }

  /** Open a workspace section and bring it into view with the keyboard focus on it. */
  reveal(key) {
    this.opened.set(key, true);
    const details = document.getElementById(`round-sec-${key}`);
    if (!details) return;
    details.open = true;
    details.scrollIntoView({ block: "start" });
    details.querySelector("summary")?.focus({ preventScroll: true });
  }

  /** A collapsible section of the workspace (closed on a phone until opened, open on a wide
   * screen), keyed so that a redraw keeps what the reader opened or closed. */
  section(key, summary, ...content) {
    const body = content.filter((node) => node !== null && node !== undefined && node !== false);
    if (!body.length) return null;
    const open = this.opened.get(key) ?? window.matchMedia(WIDE).matches;
    const details = el(
      "details",
      { class: "round-section", id: `round-sec-${key}`, open },
      el("summary", { class: "round-section__summary", id: `round-sec-${key}-summary`, text: summary }),
      el("div", { class: "round-section__body" }, body),
    );
    details.addEventListener("toggle", () => this.opened.set(key, details.open));
    return details;
  }

  mayRate(round) {
    return phaseAllows(round.phase, "rate") && (this.role === "expert" || this.role === "moderator");
  }

  sections() {
    const moderator = this.role === "moderator";
    if (!this.part) {
      // Free discussion: the moderator's next step is a round (on any goal a round may take
      // up); in a working group's room, whoever may revise publishes versions of the field's
      // goals (the phase-feature table allows it without a round).
      const revising = this.store.state?.room?.kind === "working_group" && this.may.revise;
      if (!moderator && !revising) return [];
      return [
        el("h2", { id: "round-panel-title", class: "room-box__title", text: _("Runden") }),
        moderator ? this.section("next", _("Nächster Schritt"), this.nextSteps()) : null,
        moderator ? this.section("open", _("Runde eröffnen"), this.openForm()) : null,
        revising ? this.section("revision", _("Überarbeitung"), this.revision(null)) : null,
      ];
    }
    const round = this.part.round;
    return [
      el("h2", { id: "round-panel-title", class: "room-box__title", text: format(_("Runde %(n)s: Ablauf"), { n: round.number }) }),
      this.section(
        "agenda",
        _("Phasen und Tagesordnung"),
        this.phaseSteps(round),
        this.agenda(round, moderator),
        el(
          "p",
          { class: "round-links" },
          el("a", {
            href: `/raeume/${this.view.slug}/runden/${round.number}/auswertung/`,
            text: _("Auswertungsbericht dieser Runde"),
          }),
          " · ",
          el("a", {
            href: `/beteiligung/raeume/${this.view.slug}/rueckmeldungen/`,
            text: _("Rückmeldungen der Öffentlichkeit"),
          }),
        ),
      ),
      moderator ? this.section("console", _("Moderation"), this.console(round)) : null,
      this.section("rating", _("Stimmungsbild"), this.ratings(round)),
      this.section("ideas", _("Neue Ideen"), this.ideas(round)),
      this.section("evaluation", _("Auswertung"), this.evaluation(round)),
      this.section("revision", _("Überarbeitung"), this.revision(round)),
    ];
  }

  phaseSteps(round) {
    return el(
      "ol",
      { class: "round-steps", "aria-label": _("Phasen der Runde") },
      PHASES.map((phase) =>
        el("li", {
          class: phase === round.phase ? "round-steps__step round-steps__step--current" : "round-steps__step",
          "aria-current": phase === round.phase ? "step" : null,
          text: PHASE_LABELS[phase](),
        }),
      ),
    );
  }

  currentItem() {
    const round = this.part?.round;
    return round?.agenda.find((item) => item.id === round.current_item) ?? null;
  }

  countdown() {
    const item = this.currentItem();
    if (!item) return null;
    return el(
      "p",
      { class: "round-timer" },
      item.deadline
        ? el("span", { id: "round-countdown", class: "round-timer__clock", role: "timer", "aria-live": "off" })
        : null,
      el("span", { class: "round-timer__item", text: format(_("Jetzt: „%(goal)s“"), { goal: item.goal_title }) }),
    );
  }

  tick() {
    const item = this.currentItem();
    const node = document.getElementById("round-countdown");
    if (!item?.deadline || !node) return;
    const left = secondsLeft(item.deadline, this.store.serverNow());
    node.textContent = left > 0 ? format(_("noch %(t)s"), { t: clock(left) }) : _("Zeit abgelaufen");
    node.dataset.remaining = String(Math.round(left));
    if (left <= 0) clearInterval(this.timer);
  }

  agenda(round, moderator) {
    const startable = moderator && phaseAllows(round.phase, "run_agenda");
    return el(
      "ol",
      { class: "round-agenda", "aria-label": _("Tagesordnung") },
      round.agenda.map((item) => {
        const goal = this.store.goal(item.goal);
        const current = item.id === round.current_item;
        return el(
          "li",
          { class: current ? "round-agenda__item round-agenda__item--current" : "round-agenda__item" },
          el("span", { class: "round-agenda__title", text: item.goal_title }),
          item.time_box
            ? el("span", { class: "muted", text: format(_("%(m)s Min."), { m: numbers.format(item.time_box / 60) }) })
            : null,
          goal && goal.version.number > 1
            ? el("a", { href: `/ziele/${item.goal}/vergleich/`, text: _("Änderungen ansehen") })
            : null,
          startable
            ? el("button", {
                type: "button",
                class: "button button--quiet",
                "data-command": "agenda.start",
                text: current ? _("Neu starten") : _("Starten"),
                "aria-label": format(_("„%(goal)s“ starten"), { goal: item.goal_title }),
                onclick: () => this.view.run("agenda.start", { item: item.id }, _("Der Punkt konnte nicht gestartet werden.")),
              })
            : null,
        );
      }),
    );
  }

  console(round) {
    const next = NEXT_PHASE[round.phase];
    const agenda = round.agenda;
    const index = agenda.findIndex((item) => item.id === round.current_item);
    const upcoming = agenda[index + 1] ?? null;
    const runnable = phaseAllows(round.phase, "run_agenda");
    return el(
      "div",
      { class: "round-console", role: "group", "aria-label": _("Moderation") },
      runnable && upcoming
        ? el("button", {
            type: "button",
            class: "button",
            "data-command": "agenda.next",
            text: _("Nächster Tagesordnungspunkt"),
            onclick: () => this.view.run("agenda.start", { item: upcoming.id }, _("Der Punkt konnte nicht gestartet werden.")),
          })
        : null,
      el("button", {
        type: "button",
        class: "button button--primary",
        id: "round-phase-next",
        "data-command": "round.phase",
        text: format(_("Weiter zur Phase „%(phase)s“"), { phase: PHASE_LABELS[next]() }),
        onclick: () => this.switchPhase(round.phase, next),
      }),
      round.phase === "revision" ? this.openForm() : null,
    );
  }

  async switchPhase(from, to) {
    const ok = await this.confirm(
      _("Phase wechseln?"),
      format(_("Die Runde geht von „%(from)s“ zu „%(to)s“. Das lässt sich nicht rückgängig machen."), {
        from: PHASE_LABELS[from](),
        to: PHASE_LABELS[to](),
      }),
      _("Phase wechseln"),
    );
    if (ok) {
      this.view.run("round.phase", { phase: to, expected_phase: from }, _("Die Phase konnte nicht gewechselt werden."));
    }
  }

  /** A modal yes/no question; resolves true when confirmed. */
  confirm(title, text, yes) {
    if (!this.dialog) {
      this.dialog = el(
        "dialog",
        { class: "round-dialog", "aria-labelledby": "round-dialog-title" },
        el(
          "form",
          { method: "dialog" },
          el("h2", { id: "round-dialog-title" }),
          el("p", { id: "round-dialog-text" }),
          el(
            "div",
            { class: "round-dialog__buttons" },
            el("button", { type: "submit", class: "button", value: "cancel", text: _("Abbrechen") }),
            el("button", { type: "submit", class: "button button--primary", value: "confirm", id: "round-dialog-confirm" }),
          ),
        ),
      );
      document.body.append(this.dialog);
    }
    const dialog = this.dialog;
    dialog.querySelector("#round-dialog-title").textContent = title;
    dialog.querySelector("#round-dialog-text").textContent = text;
    dialog.querySelector("#round-dialog-confirm").textContent = yes;
    dialog.returnValue = "";
    const opener = document.activeElement;
    return new Promise((resolve) => {
      dialog.addEventListener(
        "close",
        () => {
          if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
          resolve(dialog.returnValue === "confirm");
        },
        { once: true },
      );
      dialog.showModal();
      dialog.querySelector("#round-dialog-confirm").focus();
    });
  }

  /** The moderator's next step in free discussion: each goal that waits for a round (revised
   * after a vote, a draft from an accepted idea) with a button that puts it on the agenda. */
  nextSteps() {
    const waiting = (this.store.state?.fieldGoals ?? []).filter((g) => g.status !== "in_discussion");
    if (!waiting.length) return null;
    return el(
      "ul",
      { class: "round-next" },
      waiting.map((goal) =>
        el(
          "li",
          { class: "round-next__item", "data-goal": goal.id },
          el("span", { class: "round-next__title", id: `round-next-${goal.id}`, text: goal.title }),
          " ",
          el("span", { class: "chip", text: goalStatusLabel(goal.status) }),
          el("button", {
            type: "button",
            class: "button",
            "data-next": "round.open",
            text: _("Neue Runde mit diesem Ziel eröffnen"),
            "aria-describedby": `round-next-${goal.id}`,
            onclick: () => this.prepareRound(goal.id),
          }),
        ),
      ),
    );
  }

  /** Select only `goalId` in the round-opening form and bring the form into view. */
  prepareRound(goalId) {
    this.preselect = goalId;
    const form = document.getElementById("round-open-form");
    if (form) form.remove(); // redrawn with the new choice (render() keeps other values)
    this.render();
    this.reveal("open");
    document.getElementById("round-open-submit")?.focus();
  }

  openForm() {
    // Any goal a round may take up (docs/rounds.md): in discussion (checked), revised or a
    // draft (checked only when chosen with "Neue Runde mit diesem Ziel eröffnen").
    const goals = this.store.state.fieldGoals ?? this.store.state.goals;
    const checked = (goal) => (this.preselect ? goal.id === this.preselect : goal.status === "in_discussion");
    const form = el(
      "form",
      { class: "round-form", id: "round-open-form", "aria-labelledby": "round-open-title" },
      el("h3", { id: "round-open-title", text: this.part ? _("Nächste Runde eröffnen") : _("Runde eröffnen") }),
      el(
        "fieldset",
        {},
        el("legend", { text: _("Tagesordnung: Ziele") }),
        goals.length
          ? goals.map((goal) =>
              el(
                "label",
                { class: "round-form__check" },
                el("input", { type: "checkbox", name: "goal", value: goal.id, id: `round-open-goal-${goal.id}`, checked: checked(goal) }),
                el("span", { text: goal.title }),
                goal.status !== "in_discussion" ? el("span", { class: "chip", text: goalStatusLabel(goal.status) }) : null,
              ),
            )
          : el("p", { class: "muted", text: _("Kein Ziel kann beraten werden: Entwürfe legt die Arbeitsgruppe an.") }),
      ),
      el(
        "div",
        { class: "field" },
        el("label", { for: "round-open-minutes", text: _("Zeit je Ziel (Minuten, leer: ohne)") }),
        el("input", { type: "number", id: "round-open-minutes", name: "minutes", min: 1, max: 480, value: 10 }),
      ),
      el(
        "label",
        { class: "round-form__check" },
        el("input", { type: "checkbox", name: "ratings_public", id: "round-open-public" }),
        el("span", { text: _("Einzelne Bewertungen sind für alle sichtbar") }),
      ),
      el("button", { type: "submit", class: "button button--primary", id: "round-open-submit", "data-command": "round.open", text: _("Runde eröffnen") }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const minutes = Number(data.get("minutes"));
      const timeBox = minutes > 0 ? Math.round(minutes * 60) : null;
      const agenda = data.getAll("goal").map((id) => ({ goal: Number(id), time_box: timeBox }));
      this.view
        .run(
          "round.open",
          { agenda, ratings_public: data.get("ratings_public") === "on" },
          _("Die Runde konnte nicht eröffnet werden."),
        )
        .then((ack) => {
          if (ack) this.preselect = null;
        });
    });
    return form;
  }

  // --- the "Stimmungsbild" ------------------------------------------------------------------

  ratings(round) {
    const goalId = this.view.selectedGoal;
    const aggregate = this.part.ratings.find((a) => a.goal === goalId);
    if (!aggregate) return null;
    const goal = this.store.goal(goalId);
    const canRate = this.mayRate(round);
    const top = Math.max(1, ...Object.values(aggregate.distribution));
    return el(
      "section",
      { class: "round-rating", "aria-labelledby": "rating-title" },
      el("h3", { id: "rating-title", text: format(_("Stimmungsbild zu „%(goal)s“"), { goal: goal?.title ?? "" }) }),
      el(
        "p",
        { id: "rating-summary" },
        aggregate.count
          ? format(_("%(n)s Bewertungen, Mittelwert %(mean)s von 5; %(rework)s sehen Überarbeitungsbedarf."), {
              n: aggregate.count,
              mean: numbers.format(aggregate.mean),
              rework: aggregate.needs_rework,
            })
          : _("Noch keine Bewertungen."),
      ),
      el(
        "table",
        { class: "round-distribution" },
        el("caption", { class: "visually-hidden", text: _("Verteilung der Zustimmung") }),
        el(
          "tbody",
          {},
          ["5", "4", "3", "2", "1"].map((support) =>
            el(
              "tr",
              {},
              el("th", { scope: "row", text: support }),
              el("td", { class: "num", text: String(aggregate.distribution[support]) }),
              el(
                "td",
                { "aria-hidden": "true", class: "round-distribution__barcell" },
                el("span", { class: "round-distribution__bar", style: `width: ${(100 * aggregate.distribution[support]) / top}%` }),
              ),
            ),
          ),
        ),
      ),
      aggregate.ratings
        ? el(
            "ul",
            { class: "round-ratings" },
            aggregate.ratings.map((r) =>
              el("li", { text: `${r.person.name}: ${r.support}${r.needs_rework ? ` · ${_("überarbeiten")}` : ""}` }),
            ),
          )
        : null,
      canRate ? this.ratingForm(goalId) : null,
    );
  }

  /** After a reload the page knows nothing of this person's earlier ratings: the room's
   * snapshot is the same for everybody, so ask the API once per round (GET …/ratings/). */
  loadOwnRatings() {
    const round = this.part?.round;
    const slug = this.store.state?.room?.slug;
    if (!round || !slug || !(this.role === "expert" || this.role === "moderator")) return;
    if (this.ratingsLoaded === round.id) return;
    this.ratingsLoaded = round.id;
    fetch(`/api/v1/circles/${encodeURIComponent(slug)}/rounds/${round.number}/ratings/`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (!data || this.part?.round.id !== round.id) return;
        let changed = false;
        for (const rating of data.own ?? []) {
          if (this.myRatings.has(rating.goal)) continue; // saved in this tab since: newer
          this.myRatings.set(rating.goal, { support: rating.support, needs_rework: rating.needs_rework });
          changed = true;
        }
        if (!changed) return;
        // render() keeps what the form shows; an untouched form should show the saved rating.
        const form = this.element.querySelector("#rating-form");
        if (form && !form.querySelector("input:checked")) form.remove();
        this.render();
      })
      .catch(() => {
        this.ratingsLoaded = null; // offline: ask again with the next render
      });
  }

  ratingForm(goalId) {
    const mine = this.myRatings.get(goalId);
    const form = el(
      "form",
      { class: "round-rating__form", id: "rating-form" },
      el(
        "fieldset",
        { class: "round-rating__scale" },
        el("legend", { text: _("Ihre Zustimmung (1 = gar nicht, 5 = voll)") }),
        [1, 2, 3, 4, 5].map((n) =>
          el(
            "label",
            { class: "round-rating__option" },
            el("input", { type: "radio", name: "support", value: n, required: true, id: `rating-${goalId}-${n}`, checked: mine?.support === n }),
            el("span", { text: String(n) }),
          ),
        ),
      ),
      el(
        "label",
        { class: "round-form__check" },
        el("input", { type: "checkbox", name: "needs_rework", id: `rating-${goalId}-rework`, checked: mine?.needs_rework }),
        el("span", { text: _("Muss überarbeitet werden") }),
      ),
      el("button", { type: "submit", class: "button", "data-command": "rating.set", text: _("Bewertung speichern") }),
      mine ? el("p", { class: "muted", text: format(_("Ihre Bewertung: %(n)s"), { n: mine.support }) }) : null,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const rating = { support: Number(data.get("support")), needs_rework: data.get("needs_rework") === "on" };
      this.view
        .run("rating.set", { goal: goalId, ...rating }, _("Die Bewertung wurde nicht gespeichert."))
        .then((ack) => {
          if (!ack) return;
          this.myRatings.set(goalId, rating);
          this.view.announce(_("Bewertung gespeichert."));
          this.render();
        });
    });
    return form;
  }

  // --- ideas ----------------------------------------------------------------------------------

  ideas(round) {
    const ideas = this.part.ideas.filter((idea) => idea.round === round.id || idea.state === "proposed");
    const moderator = this.role === "moderator";
    const canPropose = phaseAllows(round.phase, "propose_idea") && (this.role === "expert" || moderator);
    if (!ideas.length && !canPropose) return null;
    return el(
      "section",
      { class: "round-ideas", "aria-labelledby": "ideas-title" },
      // The section's summary already says "Neue Ideen"; the heading stays for screen readers.
      el("h3", { id: "ideas-title", class: "visually-hidden", text: _("Neue Ideen") }),
      ideas.length
        ? el(
            "ul",
            { class: "round-ideas__list" },
            ideas.map((idea) =>
              el(
                "li",
                { class: "round-idea", "data-idea": idea.id },
                el("strong", { text: idea.title }),
                " ",
                el("span", { class: "chip", text: IDEA_STATES[idea.state]() }),
                el("p", { text: idea.text }),
                idea.rationale ? el("p", { class: "muted", text: idea.rationale }) : null,
                idea.decline_reason ? el("p", { class: "muted", text: format(_("Begründung: %(r)s"), { r: idea.decline_reason }) }) : null,
                el("p", { class: "muted", text: format(_("von %(name)s"), { name: idea.author?.name ?? "" }) }),
                moderator && idea.state === "proposed" ? this.ideaButtons(idea) : null,
              ),
            ),
          )
        : null,
      canPropose ? this.ideaForm() : null,
    );
  }

  ideaButtons(idea) {
    return el(
      "div",
      { class: "round-idea__buttons" },
      el("button", {
        type: "button",
        class: "button",
        "data-command": "idea.accept",
        text: _("Als Entwurf übernehmen"),
        "aria-label": format(_("Idee „%(title)s“ als Entwurf übernehmen"), { title: idea.title }),
        onclick: () => this.view.run("idea.accept", { idea: idea.id }, _("Die Idee konnte nicht übernommen werden.")),
      }),
      el("button", {
        type: "button",
        class: "button button--quiet",
        "data-command": "idea.decline",
        text: _("Ablehnen"),
        "aria-label": format(_("Idee „%(title)s“ ablehnen"), { title: idea.title }),
        onclick: async () => {
          const reason = await this.view.askReason({
            title: _("Idee ablehnen – mit welcher Begründung?"),
            confirm: _("Ablehnen"),
            excerpt: idea.title,
          });
          if (reason) this.view.run("idea.decline", { idea: idea.id, reason }, _("Die Idee konnte nicht abgelehnt werden."));
        },
      }),
    );
  }

  ideaForm() {
    const field = (id, label, input) =>
      el("div", { class: "field" }, el("label", { for: id, text: label }), input);
    const form = el(
      "form",
      { class: "round-form", id: "idea-form", "aria-labelledby": "idea-form-title" },
      el("h4", { id: "idea-form-title", text: _("Neues Ziel vorschlagen") }),
      field("idea-title", _("Titel"), el("input", { id: "idea-title", name: "title", required: true, maxlength: 200 })),
      field("idea-text", _("Text"), el("textarea", { id: "idea-text", name: "text", rows: 3, required: true })),
      field("idea-rationale", _("Begründung (optional)"), el("textarea", { id: "idea-rationale", name: "rationale", rows: 2 })),
      el("button", { type: "submit", class: "button", "data-command": "idea.propose", text: _("Idee einbringen") }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const fields = {
        title: String(data.get("title")),
        text: String(data.get("text")),
        rationale: String(data.get("rationale") ?? ""),
        client_key: newClientKey(),
      };
      this.view.run("idea.propose", fields, _("Die Idee wurde nicht gesendet.")).then((ack) => {
        if (!ack) return;
        form.reset();
        this.view.announce(_("Idee eingebracht."));
      });
    });
    return form;
  }

  // --- the evaluation workspace -------------------------------------------------------------

  /** The round's feedback: what was said in it, and what it took over when it opened
   * (marked with the round it came from). Earlier feedback not taken over, or settled
   * before this round, is not listed again. */
  feedback(round) {
    const agendaGoals = new Set(round.agenda.map((item) => item.goal));
    const carried = new Map((this.part.carried_over ?? []).map((ref) => [`${ref.type}-${ref.id}`, ref]));
    const fromRound = (type, id) => {
      const ref = carried.get(`${type}-${id}`);
      return ref ? { carried: true, fromRound: ref.from_round ?? null } : { carried: false, fromRound: null };
    };
    const opened = Date.parse(round.opened_at ?? "") || 0;
    const comments = [...this.store.state.comments.values()]
      .filter((c) => c.reply_to === null && c.state === "visible" && agendaGoals.has(c.goal))
      .filter((c) => carried.has(`comment-${c.id}`) || Date.parse(c.created_at) >= opened)
      .map((c) => ({ type: "comment", id: c.id, who: c.author?.name ?? "", text: c.body ?? "", goal: c.goal, ...fromRound("comment", c.id) }));
    const ideas = this.part.ideas
      .filter((i) => i.round === round.id || carried.has(`idea-${i.id}`))
      .map((i) => ({ type: "idea", id: i.id, who: i.author?.name ?? "", text: `${i.title}: ${i.text}`, goal: null, ...fromRound("idea", i.id) }));
    // Concerns and vetoes of a vote on an agenda goal, taken over when the round opened.
    const reasons = (this.part.vote_reasons ?? []).map((r) => ({ type: "vote_reason", id: r.id, who: r.author?.name ?? "", text: r.text, goal: r.goal, label: r.label, carried: true, fromRound: null }));
    return [...comments, ...ideas, ...reasons];
  }

  /** "aus Runde 1 übernommen" for an item the round took over, else null. */
  carriedNote(item) {
    if (!item.carried) return null;
    const text = item.fromRound ? format(_("aus Runde %(n)s übernommen"), { n: item.fromRound }) : _("übernommen");
    return el("span", { class: "chip chip--carried", text });
  }

  evaluation(round) {
    const may = phaseAllows(round.phase, "set_disposition") && this.may.evaluate;
    if (!may) return null;
    const items = this.feedback(round);
    const disposition = (item) =>
      this.part.dispositions.find((d) => d.feedback.type === item.type && d.feedback.id === item.id) ?? null;
    return el(
      "section",
      { class: "round-evaluation", "aria-labelledby": "evaluation-title" },
      el("h3", { id: "evaluation-title", text: _("Auswertung: Rückmeldungen beantworten") }),
      items.length
        ? el("ol", { class: "round-evaluation__list" }, items.map((item) => this.dispositionForm(item, disposition(item))))
        : el("p", { class: "muted", text: _("Keine Rückmeldungen in dieser Runde.") }),
      this.publicFeedbackSection(round),
    );
  }

  /** The public's ideas and questionnaire answers on the round's goals (evaluation.js): one
   * node kept across redraws, loaded when the round enters evaluation. */
  publicFeedbackSection(round) {
    this.publicFeedback ??= new PublicFeedbackPanel(this.view.slug, (text) => this.view.announce(text));
    return this.publicFeedback.section(round);
  }

  dispositionForm(item, current) {
    const key = `disp-${item.type}-${item.id}`;
    const goal = item.goal ? this.store.goal(item.goal) : null;
    const form = el(
      "form",
      { class: "round-disposition" },
      el(
        "div",
        { class: "field" },
        el("label", { for: `${key}-value`, text: _("Entscheidung") }),
        el(
          "select",
          { id: `${key}-value`, name: "value", required: true },
          el("option", { value: "", text: _("– bitte wählen –") }),
          Object.entries(DISPOSITIONS).map(([value, label]) =>
            el("option", { value, text: label(), selected: current?.value === value }),
          ),
        ),
      ),
      el(
        "div",
        { class: "field" },
        el("label", { for: `${key}-response`, text: _("Antwort") }),
        el("textarea", { id: `${key}-response`, name: "response", rows: 2, required: true }, current?.response ?? ""),
      ),
      el("button", { type: "submit", class: "button", "data-command": "disposition.set", text: _("Speichern") }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      this.view
        .run(
          "disposition.set",
          { [item.type]: item.id, value: String(data.get("value")), response: String(data.get("response")) },
          _("Die Entscheidung wurde nicht gespeichert."),
        )
        .then((ack) => ack && this.view.announce(_("Entscheidung gespeichert.")));
    });
    return el(
      "li",
      { class: "round-evaluation__item", "data-feedback": `${item.type}-${item.id}` },
      el(
        "p",
        {},
        el("strong", { text: item.label ?? (item.type === "idea" ? _("Idee") : _("Kommentar")) }),
        ` · ${item.who}`,
        goal ? ` · ${goal.title}` : "",
        " ",
        this.carriedNote(item),
        current ? el("span", { class: "chip", text: DISPOSITIONS[current.value]() }) : null,
      ),
      el("blockquote", { class: "round-evaluation__text", text: item.text }),
      form,
    );
  }

  // --- revision: a new version per goal, linked to the feedback it takes up ---------------

  /** `round`: the active round (its agenda's goals), or null in free discussion (the
   * field's goals a round may take up: the working group's room). */
  revision(round) {
    const may = phaseAllows(round?.phase ?? null, "publish_revision") && this.may.revise;
    if (!may) return null;
    const goals = round
      ? round.agenda.map((item) => this.fieldGoal(item.goal)).filter(Boolean)
      : (this.store.state?.fieldGoals ?? []);
    return el(
      "section",
      { class: "round-revision", "aria-labelledby": "revision-title" },
      el("h3", { id: "revision-title", text: _("Überarbeitung: neue Fassungen veröffentlichen") }),
      goals.length
        ? goals.map((goal) => this.versionForm(round, goal))
        : el("p", { class: "muted", text: round ? _("Kein Ziel dieser Runde steht noch zur Diskussion.") : _("Kein Ziel des Handlungsfelds ist in Arbeit.") }),
    );
  }

  versionForm(round, goal) {
    const key = `rev-${goal.id}`;
    const taken = (item) => {
      const found = this.part?.dispositions.find((d) => d.feedback.type === item.type && d.feedback.id === item.id);
      return found?.value === "accepted" || found?.value === "partially_accepted";
    };
    const items = round ? this.feedback(round).filter((item) => item.type === "idea" || item.goal === goal.id) : [];
    const next = (goal.version?.number ?? 0) + 1;
    const form = el(
      "form",
      { class: "round-revision__form", "aria-labelledby": `${key}-title`, "data-goal": goal.id },
      el("h4", { id: `${key}-title`, text: format(_("„%(goal)s“ – Fassung %(n)s"), { goal: goal.title, n: next }) }),
      el(
        "div",
        { class: "field" },
        el("label", { for: `${key}-text`, text: _("Text der neuen Fassung (Markdown, Absätze durch Leerzeilen)") }),
        el("textarea", { id: `${key}-text`, name: "text", rows: 8, required: true }, goal.version?.text ?? ""),
      ),
      el(
        "div",
        { class: "field" },
        el("label", { for: `${key}-note`, text: _("Was hat sich geändert? (kurz)") }),
        el("input", { id: `${key}-note`, name: "change_note", type: "text", maxlength: 500 }),
      ),
      el(
        "div",
        { class: "field" },
        el("label", { for: `${key}-rationale`, text: _("Begründung der Fassung (optional)") }),
        el("textarea", { id: `${key}-rationale`, name: "rationale", rows: 2 }, goal.version?.rationale ?? ""),
      ),
      items.length
        ? el(
            "fieldset",
            { class: "round-revision__feedback" },
            el("legend", { text: _("Aufgegriffene Rückmeldungen") }),
            items.map((item) =>
              el(
                "label",
                { class: "round-form__check" },
                el("input", { type: "checkbox", name: item.type, value: item.id, id: `${key}-${item.type}-${item.id}`, checked: taken(item) }),
                el("span", { text: `${item.label ?? (item.type === "idea" ? _("Idee") : _("Kommentar"))} · ${item.who}: ${item.text.length > 120 ? `${item.text.slice(0, 117)}…` : item.text}` }),
              ),
            ),
          )
        : null,
      // Accepted change proposals: put into the text for review (proposals.js).
      this.view.proposals?.revisionBlock(goal, key) ?? null,
      el("button", { type: "submit", class: "button button--primary", "data-command": "version.publish", text: _("Fassung veröffentlichen") }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const rationale = String(data.get("rationale") ?? "").trim();
      this.view
        .run(
          "version.publish",
          {
            goal: goal.id,
            text: String(data.get("text") ?? ""),
            change_note: String(data.get("change_note") ?? ""),
            ...(rationale ? { rationale } : {}),
            comment_ids: data.getAll("comment").map(Number),
            idea_ids: data.getAll("idea").map(Number),
            vote_reason_ids: data.getAll("vote_reason").map(Number),
            proposal_ids: String(data.get("proposal_ids") ?? "").split(",").filter(Boolean).map(Number),
          },
          _("Die Fassung wurde nicht veröffentlicht."),
        )
        .then((ack) => {
          if (!ack) return;
          this.view.announce(format(_("Fassung %(n)s von „%(goal)s“ ist veröffentlicht."), { n: ack.version ?? next, goal: goal.title }));
        });
    });
    return form;
  }
}
