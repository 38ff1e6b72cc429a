// Change proposals in the live room (docs/protocol.md, "Change proposals"): select a passage
// of the goal's text (or tap a sentence on a phone) → "Änderung vorschlagen" → new wording
// and a reason. Every proposal shows inline as a word diff (computed by the server, rendered
// here), overlapping ones are flagged, the moderator may put one to a quick open vote, the
// working group decides on them during evaluation and takes the accepted ones into the next
// version (the revision form's "apply" step, `revisionBlock`).
//
// The state lives in the shared store (proposal-state.js); this module only draws and sends.

import { format, gettext as _ } from "./i18n.js";
import { dispositionLabel, phaseAllows } from "./round.js";

const MEMBER_ROLES = new Set(["moderator", "expert", "drafter"]);
const QUOTE_MAX = 500;
const CONTEXT = 40; // characters of context shown around a passage

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** The paragraphs of a version's text, counted as the server counts them. */
export function splitParagraphs(text) {
  return (text ?? "")
    .replace(/\r\n/g, "\n")
    .split("\n\n")
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The sentences of a paragraph with their offsets: `[{start, end, text}]`. */
export function sentences(paragraph) {
  const found = [];
  for (const match of paragraph.matchAll(/\S[^.!?]*(?:[.!?]+|$)/g)) {
    found.push({ start: match.index, end: match.index + match[0].length, text: match[0] });
  }
  return found.length ? found : [{ start: 0, end: paragraph.length, text: paragraph }];
}

/** A word diff (`[{op, text}]`) as inline `<ins>`/`<del>` with hidden markers. */
function diffNodes(ops) {
  return (ops ?? []).map((op) => {
    if (op.op === "equal") return document.createTextNode(op.text);
    const tag = op.op === "insert" ? "ins" : "del";
    const label = op.op === "insert" ? _("eingefügt") : _("gelöscht");
    return el(
      tag,
      {},
      el("span", { class: "visually-hidden", text: `[${label}: ` }),
      op.text,
      el("span", { class: "visually-hidden", text: "]" }),
    );
  });
}

function csrfToken() {
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
}

export class ProposalsPanel {
  constructor(root, { store, view, slug }) {
    this.root = root;
    this.store = store;
    this.view = view;
    this.slug = slug;
    this.connection = null;
    this.passage = null; // {goal, paragraph, start, end, quote} chosen by selection or tap
    this.formOpen = false;
    view.proposals = this;

    document.head.append(el("link", { rel: "stylesheet", href: new URL("../proposals.css", import.meta.url).href }));

    // The passage bar and the form live under the goal's text.
    this.bar = el("div", { class: "proposal-bar", id: "proposal-bar", hidden: true });
    this.formBox = el("div", { class: "proposal-form-box", id: "proposal-form-box" });
    const goalSection = document.getElementById("room-goal");
    goalSection?.append(this.bar, this.formBox);

    this.section = el(
      "section",
      { class: "room-proposals", id: "room-proposals", "aria-labelledby": "proposals-title" },
      el("h2", { id: "proposals-title" }, _("Änderungsvorschläge"), " ", el("span", { id: "proposals-count", class: "count-badge" })),
    );
    this.openButton = el("button", {
      type: "button",
      class: "button",
      id: "proposal-open",
      dataset: { command: "proposal.create" },
      text: _("Änderung vorschlagen"),
      onclick: () => this.openForm(this.passage),
    });
    this.tools = el("p", { class: "room-proposals__tools" });
    this.list = el("ol", { class: "proposal-list", id: "proposal-list" });
    this.empty = el("p", { class: "muted", id: "proposals-empty", text: _("Zu diesem Ziel gibt es noch keine Änderungsvorschläge.") });
    this.section.append(this.tools, this.list, this.empty);
    const comments = root.querySelector(".room-comments");
    if (comments) comments.before(this.section);
    else goalSection?.after(this.section);

    const paragraphs = document.getElementById("goal-paragraphs");
    paragraphs?.addEventListener("click", (event) => this.onTap(event));
    document.addEventListener("selectionchange", () => this.onSelection());
  }

  attach(connection) {
    this.connection = connection;
  }

  /** The view's handlers, with this panel told about every snapshot and event too. */
  wrap(handlers) {
    return {
      ...handlers,
      snapshot: () => {
        handlers.snapshot();
        this.render();
      },
      event: (frame) => {
        handlers.event(frame);
        if (frame.kind.startsWith("proposal.")) {
          this.render();
          this.tell(frame);
        } else if (frame.kind.startsWith("goal.") || frame.kind.startsWith("round.") || frame.kind === "focus.changed") {
          this.render();
        }
      },
    };
  }

  get role() {
    return this.store.role ?? "viewer";
  }

  get isMember() {
    return MEMBER_ROLES.has(this.role);
  }

  get phase() {
    return this.store.state?.round?.round?.phase ?? null;
  }

  get mayPropose() {
    return this.isMember && phaseAllows(this.phase, "comment");
  }

  get goal() {
    return this.store.goal(this.view.selectedGoal);
  }

  paragraphsOf(goal) {
    return splitParagraphs(goal?.version?.text);
  }

  proposalsOf(goalId) {
    const all = [...(this.store.state?.proposals?.values() ?? [])];
    return all.filter((p) => p.goal === goalId).sort((a, b) => a.id - b.id);
  }

  send(type, fields, failure) {
    if (!this.connection) return Promise.resolve(null);
    return this.connection.command(type, fields).catch((error) => {
      this.view.showError(error?.message || failure);
      return null;
    });
  }

  tell(frame) {
    const proposal = frame.data.proposal;
    const name = proposal.author?.name ?? "";
    if (frame.kind === "proposal.created" && proposal.author?.id !== this.view.myId) {
      this.view.announce(
        format(_("Neuer Änderungsvorschlag %(n)s von %(name)s zu Absatz %(p)s."), { n: proposal.id, name, p: proposal.paragraph }),
      );
    } else if (frame.kind === "proposal.vote_opened") {
      this.view.notify(format(_("Abstimmung per Handzeichen über Vorschlag %(n)s"), { n: proposal.id }), {
        label: _("Zum Vorschlag"),
        run: () => this.view.jumpTo(document.getElementById(`proposal-${proposal.id}-title`)),
      });
    } else if (frame.kind === "proposal.vote_closed") {
      const vote = proposal.vote;
      this.view.announce(
        format(_("Abstimmung über Vorschlag %(n)s beendet: %(yes)s Ja, %(no)s Nein, %(abstain)s Enthaltungen."), {
          n: proposal.id,
          yes: vote.yes,
          no: vote.no,
          abstain: vote.abstain,
        }),
      );
    }
  }

  // --- choosing a passage -------------------------------------------------------------------

  /** A selection inside one paragraph of the goal's text becomes the passage. */
  onSelection() {
    if (!this.mayPropose) return;
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    const start = range.startContainer.parentElement?.closest(".room-para");
    const end = range.endContainer.parentElement?.closest(".room-para");
    if (!start || start !== end) return;
    const passage = this.passageFromRange(start, range);
    if (passage) this.choose(passage);
  }

  /** A tap (or click) on a sentence without a selection chooses that sentence. */
  onTap(event) {
    if (!this.mayPropose || event.target.closest("a, button")) return;
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed) return;
    const item = event.target.closest(".room-para");
    if (!item) return;
    const textBox = item.querySelector(".room-para__text");
    const offset = this.renderedOffset(textBox, event.clientX, event.clientY);
    const n = Number(item.dataset.paragraph);
    const source = this.paragraphsOf(this.goal)[n - 1];
    if (source === undefined) return;
    const rendered = sentences(textBox.textContent.trim());
    const index = Math.max(0, rendered.findIndex((s) => offset !== null && offset < s.end));
    const wanted = rendered[index]?.text;
    const own = sentences(source);
    const sentence = own.find((s) => s.text === wanted) ?? own[Math.min(index, own.length - 1)];
    this.choose({ goal: this.goal.id, paragraph: n, start: sentence.start, end: sentence.end, quote: sentence.text });
  }

  renderedOffset(box, x, y) {
    let node = null;
    let offset = 0;
    if (document.caretPositionFromPoint) {
      const position = document.caretPositionFromPoint(x, y);
      if (position) [node, offset] = [position.offsetNode, position.offset];
    } else if (document.caretRangeFromPoint) {
      const range = document.caretRangeFromPoint(x, y);
      if (range) [node, offset] = [range.startContainer, range.startOffset];
    }
    if (!node || !box.contains(node)) return null;
    const before = document.createRange();
    before.selectNodeContents(box);
    before.setEnd(node, offset);
    return before.toString().length - (box.textContent.length - box.textContent.trimStart().length);
  }

  /** The selected text, found in the paragraph's source text (nearest to where it stands). */
  passageFromRange(item, range) {
    const goal = this.goal;
    const n = Number(item.dataset.paragraph);
    const source = this.paragraphsOf(goal)[n - 1];
    const quote = range.toString().trim();
    if (!goal || source === undefined || !quote) return null;
    const box = item.querySelector(".room-para__text");
    const before = document.createRange();
    before.selectNodeContents(box);
    before.setEnd(range.startContainer, range.startOffset);
    const near = before.toString().trimStart().length;
    let best = -1;
    for (let at = source.indexOf(quote); at !== -1; at = source.indexOf(quote, at + 1)) {
      if (best === -1 || Math.abs(at - near) < Math.abs(best - near)) best = at;
    }
    if (best === -1) return { goal: goal.id, paragraph: n, start: 0, end: 0, quote, unmatched: true };
    return { goal: goal.id, paragraph: n, start: best, end: best + quote.length, quote: [...quote].slice(0, QUOTE_MAX).join("") };
  }

  choose(passage) {
    this.passage = passage;
    this.renderBar();
  }

  renderBar() {
    const passage = this.passage;
    const show = this.mayPropose && passage && passage.goal === this.view.selectedGoal && !this.formOpen;
    this.bar.hidden = !show;
    if (!show) return;
    const text = passage.unmatched
      ? _("Die markierte Stelle enthält Formatierung. Wählen Sie im Formular einen Satz.")
      : format(_("Gewählt in Absatz %(n)s: „%(quote)s“"), { n: passage.paragraph, quote: this.short(passage.quote) });
    this.bar.replaceChildren(
      el("p", { class: "proposal-bar__quote", text }),
      el("button", {
        type: "button",
        class: "button button--primary",
        id: "proposal-bar-open",
        dataset: { command: "proposal.create" },
        disabled: !this.view.online,
        text: _("Änderung vorschlagen"),
        onclick: () => this.openForm(passage),
      }),
      el("button", {
        type: "button",
        class: "button button--quiet",
        text: _("Auswahl aufheben"),
        onclick: () => {
          this.passage = null;
          this.renderBar();
        },
      }),
    );
  }

  short(text, max = 80) {
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }

  // --- the form ---------------------------------------------------------------------------------

  openForm(passage) {
    const goal = this.goal;
    if (!goal || !this.mayPropose) return;
    this.formOpen = true;
    this.renderBar();
    const paragraphs = this.paragraphsOf(goal);
    const initial = passage && passage.goal === goal.id && !passage.unmatched ? passage : null;
    const paragraphSelect = el(
      "select",
      { id: "proposal-paragraph", name: "paragraph" },
      paragraphs.map((_text, index) =>
        el("option", { value: index + 1, selected: (initial?.paragraph ?? 1) === index + 1, text: format(_("Absatz %(n)s"), { n: index + 1 }) }),
      ),
    );
    const spanSelect = el("select", { id: "proposal-span", name: "span" });
    const replacement = el("textarea", { id: "proposal-replacement", name: "replacement", rows: 3 });
    const fillSpans = (keep) => {
      const n = Number(paragraphSelect.value);
      const source = paragraphs[n - 1] ?? "";
      const options = sentences(source).map((s) => ({ ...s, label: this.short(s.text, 70) }));
      if (keep && keep.paragraph === n && !options.some((o) => o.start === keep.start && o.end === keep.end)) {
        options.unshift({ start: keep.start, end: keep.end, text: keep.quote, label: format(_("markiert: „%(q)s“"), { q: this.short(keep.quote, 60) }) });
      }
      options.push({ start: 0, end: source.length, text: source, label: _("der ganze Absatz") });
      spanSelect.replaceChildren(
        ...options.map((o) =>
          el("option", {
            value: `${o.start}:${o.end}`,
            selected: keep && keep.paragraph === n && keep.start === o.start && keep.end === o.end,
            text: o.label,
          }),
        ),
      );
      replacement.value = this.currentSpan(paragraphs, paragraphSelect, spanSelect).quote;
    };
    paragraphSelect.addEventListener("change", () => fillSpans(null));
    spanSelect.addEventListener("change", () => {
      replacement.value = this.currentSpan(paragraphs, paragraphSelect, spanSelect).quote;
    });
    const reason = el("textarea", { id: "proposal-reason", name: "reason", rows: 2, required: true });
    const form = el(
      "form",
      { class: "proposal-form card", id: "proposal-form", "aria-labelledby": "proposal-form-title" },
      el("h3", { id: "proposal-form-title", text: format(_("Änderung vorschlagen zu „%(goal)s“"), { goal: goal.title }) }),
      el("div", { class: "field" }, el("label", { for: "proposal-paragraph", text: _("Absatz") }), paragraphSelect),
      el("div", { class: "field" }, el("label", { for: "proposal-span", text: _("Stelle") }), spanSelect),
      el("div", { class: "field" }, el("label", { for: "proposal-replacement", text: _("Neue Formulierung (leer: Stelle streichen)") }), replacement),
      el("div", { class: "field" }, el("label", { for: "proposal-reason", text: _("Begründung") }), reason),
      el(
        "p",
        { class: "proposal-form__buttons" },
        el("button", { type: "submit", class: "button button--primary", dataset: { command: "proposal.create" }, disabled: !this.view.online, text: _("Vorschlag einreichen") }),
        el("button", { type: "button", class: "button button--quiet", text: _("Abbrechen"), onclick: () => this.closeForm() }),
      ),
    );
    fillSpans(initial);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const span = this.currentSpan(paragraphs, paragraphSelect, spanSelect);
      this.send(
        "proposal.create",
        {
          goal: goal.id,
          paragraph: Number(paragraphSelect.value),
          start: span.start,
          end: span.end,
          quote: span.quote,
          replacement: replacement.value,
          reason: reason.value,
          client_key: `p-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`,
        },
        _("Der Vorschlag wurde nicht eingereicht."),
      ).then((ack) => {
        if (!ack) return;
        this.passage = null;
        this.closeForm();
        this.view.announce(format(_("Ihr Vorschlag %(n)s ist eingereicht."), { n: ack.proposal }));
        document.getElementById(`proposal-${ack.proposal}-title`)?.focus();
      });
    });
    this.formBox.replaceChildren(form);
    replacement.focus();
  }

  currentSpan(paragraphs, paragraphSelect, spanSelect) {
    const source = paragraphs[Number(paragraphSelect.value) - 1] ?? "";
    const [start, end] = String(spanSelect.value || "0:0").split(":").map(Number);
    return { start, end, quote: source.slice(start, end) };
  }

  closeForm() {
    this.formOpen = false;
    this.formBox.replaceChildren();
    this.renderBar();
  }

  // --- the list ---------------------------------------------------------------------------------

  render() {
    if (!this.store.state) return;
    const goal = this.goal;
    this.section.hidden = !goal;
    if (!goal) return;
    if (this.formOpen && !this.mayPropose) this.closeForm();
    const items = this.proposalsOf(goal.id);
    document.getElementById("proposals-count").textContent = String(items.length);
    this.tools.replaceChildren(
      ...(this.mayPropose
        ? [this.openButton, el("span", { class: "muted", text: ` ${_("Markieren Sie eine Stelle im Text oder tippen Sie auf einen Satz.")}` })]
        : []),
    );
    this.openButton.disabled = !this.view.online;
    this.empty.hidden = items.length > 0;
    const active = document.activeElement;
    const focusId = active && this.list.contains(active) ? active.id : null;
    const drafts = new Map();
    for (const input of this.list.querySelectorAll("textarea[id], select[id]")) drafts.set(input.id, input.value);
    this.list.replaceChildren(...items.map((p) => this.card(p, goal)));
    for (const [id, value] of drafts) {
      const input = document.getElementById(id);
      if (input && this.list.contains(input)) input.value = value;
    }
    if (focusId) document.getElementById(focusId)?.focus();
    this.renderBar();
  }

  card(p, goal) {
    const current = goal.version?.id === p.version.id;
    const conflicts = p.conflicts_with ?? [];
    const decided = p.disposition;
    const parts = [
      el(
        "h3",
        { class: "proposal__title", id: `proposal-${p.id}-title`, tabindex: "-1" },
        format(_("Vorschlag %(n)s"), { n: p.id }),
        el("span", { class: "proposal__meta", text: ` · ${p.author?.name ?? ""} · ${format(_("Absatz %(n)s"), { n: p.paragraph })}${current ? "" : ` · ${format(_("zu Fassung %(n)s"), { n: p.version.number })}`}` }),
      ),
      el(
        "p",
        { class: "proposal__diff diff" },
        p.prefix ? el("span", { class: "proposal__context", text: `…${p.prefix.slice(-CONTEXT)}` }) : null,
        diffNodes(p.diff),
        p.suffix ? el("span", { class: "proposal__context", text: `${p.suffix.slice(0, CONTEXT)}…` }) : null,
      ),
      el("p", { class: "proposal__reason" }, el("strong", { text: `${_("Begründung:")} ` }), p.reason),
    ];
    if (conflicts.length) {
      parts.push(
        el(
          "p",
          { class: "proposal__conflict", role: "note" },
          el("span", { "aria-hidden": "true", text: "⚠ " }),
          ...conflicts.flatMap((id, index) => [
            index ? ", " : "",
            el("a", { href: `#proposal-${id}`, text: format(_("überschneidet sich mit Vorschlag %(n)s"), { n: id }) }),
          ]),
        ),
      );
    }
    if (p.state === "withdrawn") parts.push(el("p", { class: "proposal__state", text: _("zurückgezogen") }));
    if (decided) {
      const label = decided.value === "partially_accepted" ? _("angenommen mit Änderungen") : dispositionLabel(decided.value);
      parts.push(el("p", { class: "proposal__state" }, el("strong", { text: `${label}: ` }), decided.response));
      if (decided.value === "partially_accepted" && p.adopted_diff) {
        parts.push(el("p", { class: "proposal__diff diff" }, el("span", { class: "muted", text: `${_("Übernommen wird:")} ` }), diffNodes(p.adopted_diff)));
      }
    }
    if (p.applied_in) parts.push(el("p", { class: "proposal__state", text: format(_("übernommen in Fassung %(n)s"), { n: p.applied_in.number }) }));
    parts.push(this.voteBlock(p));
    parts.push(this.actions(p));
    parts.push(this.decisionForm(p));
    return el("li", { class: `proposal${conflicts.length ? " proposal--conflict" : ""}`, id: `proposal-${p.id}`, "aria-labelledby": `proposal-${p.id}-title` }, parts);
  }

  live(p) {
    const dropped = p.disposition && ["not_accepted", "answered"].includes(p.disposition.value);
    return p.state === "open" && !p.applied_in && !dropped;
  }

  voteBlock(p) {
    const vote = p.vote;
    if (!vote) return null;
    const counts = format(_("Ja %(yes)s · Nein %(no)s · Enthaltung %(abstain)s"), vote);
    if (!vote.open) {
      const outcome = vote.yes > vote.no ? _("Mehrheit dafür") : _("keine Mehrheit dafür");
      return el("p", { class: "proposal__vote" }, el("strong", { text: `${_("Schnellabstimmung:")} ` }), `${counts} – ${outcome}`);
    }
    const mine = vote.ballots.find((b) => b.person?.id === this.view.myId)?.choice ?? null;
    const choices = [
      ["yes", _("Ja")],
      ["no", _("Nein")],
      ["abstain", _("Enthaltung")],
    ];
    return el(
      "div",
      { class: "proposal__vote proposal__vote--open", role: "group", "aria-labelledby": `proposal-${p.id}-vote` },
      el("p", { id: `proposal-${p.id}-vote` }, el("strong", { text: _("Abstimmung per Handzeichen läuft") }), ` – ${_("offen, nicht geheim: alle sehen, wer wie stimmt.")}`),
      el("p", { class: "proposal__tally", "aria-live": "polite", text: counts }),
      this.isMember
        ? el(
            "p",
            { class: "proposal__buttons" },
            choices.map(([choice, label]) =>
              el("button", {
                type: "button",
                class: mine === choice ? "button button--primary" : "button",
                "aria-pressed": mine === choice ? "true" : "false",
                dataset: { command: "proposal.vote_cast" },
                disabled: !this.view.online,
                text: label,
                onclick: () => this.send("proposal.vote_cast", { proposal: p.id, choice }, _("Ihre Stimme wurde nicht gezählt.")),
              }),
            ),
          )
        : null,
      vote.ballots.length
        ? el("p", { class: "muted proposal__ballots", text: vote.ballots.map((b) => `${b.person?.name ?? "?"}: ${choices.find(([c]) => c === b.choice)?.[1] ?? b.choice}`).join(" · ") })
        : null,
      this.role === "moderator"
        ? el("button", {
            type: "button",
            class: "button",
            dataset: { command: "proposal.vote_close" },
            disabled: !this.view.online,
            text: _("Abstimmung beenden"),
            onclick: () => this.send("proposal.vote_close", {}, _("Die Abstimmung wurde nicht beendet.")),
          })
        : null,
    );
  }

  actions(p) {
    const buttons = [];
    const voteRunning = [...(this.store.state?.proposals?.values() ?? [])].some((x) => x.vote?.open);
    if (this.role === "moderator" && this.live(p) && !voteRunning) {
      buttons.push(
        el("button", {
          type: "button",
          class: "button",
          dataset: { command: "proposal.vote_open" },
          disabled: !this.view.online,
          text: _("Abstimmen lassen"),
          onclick: () => this.send("proposal.vote_open", { proposal: p.id }, _("Die Abstimmung wurde nicht eröffnet.")),
        }),
      );
    }
    if (p.author?.id === this.view.myId && p.state === "open" && !p.disposition && !p.vote?.open) {
      buttons.push(
        el("button", {
          type: "button",
          class: "button button--quiet",
          dataset: { command: "proposal.withdraw" },
          disabled: !this.view.online,
          text: _("Zurückziehen"),
          onclick: () => this.send("proposal.withdraw", { proposal: p.id }, _("Der Vorschlag wurde nicht zurückgezogen.")),
        }),
      );
    }
    return buttons.length ? el("p", { class: "proposal__buttons" }, buttons) : null;
  }

  /** Evaluation: the working group and the moderation decide, as on any feedback. */
  decisionForm(p) {
    if (!this.store.may?.evaluate || !phaseAllows(this.phase, "set_disposition") || p.state !== "open" || p.applied_in) return null;
    const key = `proposal-${p.id}-decide`;
    const value = el(
      "select",
      { id: `${key}-value`, name: "value" },
      [
        ["accepted", _("angenommen")],
        ["partially_accepted", _("angenommen mit Änderungen")],
        ["not_accepted", _("abgelehnt")],
        ["answered", _("beantwortet")],
      ].map(([v, label]) => el("option", { value: v, selected: p.disposition?.value === v, text: label })),
    );
    const modified = el("textarea", { id: `${key}-modified`, name: "modified_text", rows: 2 }, p.adopted_text ?? p.replacement);
    const response = el("textarea", { id: `${key}-response`, name: "response", rows: 2, required: true }, p.disposition?.response ?? "");
    const form = el(
      "form",
      { class: "proposal__decide" },
      el("div", { class: "field" }, el("label", { for: `${key}-value`, text: _("Entscheidung") }), value),
      el("div", { class: "field" }, el("label", { for: `${key}-modified`, text: _("Geänderte Formulierung (bei „angenommen mit Änderungen“)") }), modified),
      el("div", { class: "field" }, el("label", { for: `${key}-response`, text: _("Antwort") }), response),
      el("button", { type: "submit", class: "button", dataset: { command: "proposal.dispose" }, disabled: !this.view.online, text: _("Entscheiden") }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send(
        "proposal.dispose",
        {
          proposal: p.id,
          value: value.value,
          response: response.value,
          ...(value.value === "partially_accepted" ? { modified_text: modified.value } : {}),
        },
        _("Die Entscheidung wurde nicht gespeichert."),
      );
    });
    return form;
  }

  // --- the revision form: apply the accepted proposals --------------------------------------

  /** For round.js's revision form of `goal`: the accepted proposals on its current version,
   * and a button that puts them into the text field for review (null: none). */
  revisionBlock(goal, key) {
    const ready = this.proposalsOf(goal.id).filter(
      (p) => p.state === "open" && !p.applied_in && p.adopted_text !== null && p.version.id === goal.version?.id,
    );
    if (!ready.length) return null;
    const applied = el("input", { type: "hidden", id: `${key}-proposal-ids`, name: "proposal_ids", value: "" });
    const status = el("p", { class: "muted", id: `${key}-proposal-status`, "aria-live": "polite" });
    const box = el(
      "fieldset",
      { class: "round-revision__proposals" },
      el("legend", { text: _("Angenommene Änderungsvorschläge") }),
      ready.map((p) =>
        el(
          "label",
          { class: "round-form__check" },
          el("input", { type: "checkbox", name: "proposal", value: p.id, id: `${key}-proposal-${p.id}`, checked: true }),
          el("span", {}, `${format(_("Vorschlag %(n)s"), { n: p.id })}: `, el("span", { class: "diff" }, diffNodes(p.adopted_diff))),
        ),
      ),
      applied,
      el("button", {
        type: "button",
        class: "button",
        id: `${key}-apply`,
        text: _("Angenommene Vorschläge in den Text übernehmen"),
        onclick: () => this.applyToForm(goal, key, box, applied, status),
      }),
      status,
    );
    return box;
  }

  async applyToForm(goal, key, box, applied, status) {
    const ids = [...box.querySelectorAll("input[name=proposal]:checked")].map((input) => Number(input.value));
    const url = `/api/v1/circles/${encodeURIComponent(this.slug)}/proposals/apply-preview/?goal=${goal.id}&proposals=${ids.join(",")}`;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json", "X-CSRFToken": csrfToken() } });
      const body = await response.json();
      if (!response.ok) {
        this.view.showError(body.detail || _("Die Vorschläge ließen sich nicht übernehmen."));
        return;
      }
      const textarea = document.getElementById(`${key}-text`);
      if (textarea) textarea.value = body.text;
      applied.value = body.proposals.join(",");
      status.textContent = body.proposals.length
        ? format(_("Übernommen: Vorschläge %(ids)s. Prüfen Sie den Text, bevor Sie veröffentlichen."), { ids: body.proposals.join(", ") })
        : _("Keine Vorschläge übernommen.");
      textarea?.focus();
    } catch {
      this.view.showError(_("Die Vorschläge ließen sich nicht übernehmen."));
    }
  }
}
