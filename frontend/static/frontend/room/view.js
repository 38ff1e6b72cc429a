// The room on the page: renders the store and turns clicks and keys into commands.
//
// All user-written text goes in through textContent and DOM APIs. The only HTML inserted as
// such is what the server rendered and sanitised (nh3): a comment's `body_html` and a goal's
// `paragraphs`. Lists are updated in place, keyed by id, so a new comment does not disturb
// the focus, an open edit form or what the reader is looking at.

import { AwaySummary } from "./away.js";
import { newClientKey } from "./connection.js";
import { linkLineCitations, numberedLines, placementBadge, renderPlain } from "./drafting.js";
import { format, gettext as _, language, ngettext } from "./i18n.js";
import { dispositionLabel, RoundPanel } from "./round.js";
import { areaOf } from "./store.js";
import { RoomVotes } from "./vote.js";

const POSTING_ROLES = new Set(["moderator", "expert", "drafter"]);
const SVG = "http://www.w3.org/2000/svg";
const QUOTE_MAX = 500;

const ROLE_LABELS = {
  moderator: () => _("Moderation"),
  expert: () => _("Expert:in"),
  drafter: () => _("Redaktion"),
  viewer: () => _("Zuschauende"),
};

function phaseLabel(phase) {
  return (
    {
      discussion: _("Diskussion"),
      evaluation: _("Auswertung"),
      revision: _("Überarbeitung"),
      closed: _("Abgeschlossen"),
    }[phase] ?? phase
  );
}

/** `el("p", {class: "x"}, "text", child)`: an element; strings become text nodes. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/** Replace `node`'s children; null and false stand for "nothing here". */
function fill(node, ...children) {
  node.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

/** Sanitised HTML from the server (nh3), parsed into a fragment. */
function trustedHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  return template.content;
}

function bubbleIcon() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 20 20");
  svg.setAttribute("width", "18");
  svg.setAttribute("height", "18");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute(
    "d",
    "M3 4.5A2.5 2.5 0 0 1 5.5 2h9A2.5 2.5 0 0 1 17 4.5v6a2.5 2.5 0 0 1-2.5 2.5H9l-4 3.5V13h0" +
      "a2.5 2.5 0 0 1-2-2.5z",
  );
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "1.8");
  path.setAttribute("stroke-linejoin", "round");
  svg.append(path);
  return svg;
}

/**
 * Bring `container`'s children in line with `items` (keyed by `item.id`): `render(item,
 * existing)` returns the node for an item, reusing `existing` when it can.
 */
function reconcile(container, items, render) {
  const existing = new Map();
  for (const node of container.children) existing.set(node.dataset.key, node);
  let cursor = container.firstElementChild;
  for (const item of items) {
    const key = String(item.id);
    const old = existing.get(key) ?? null;
    existing.delete(key);
    const node = render(item, old);
    node.dataset.key = key;
    if (old && node !== old) {
      if (old === cursor) cursor = cursor.nextElementSibling;
      old.remove();
    }
    if (node === cursor) {
      cursor = cursor.nextElementSibling;
    } else {
      container.insertBefore(node, cursor);
    }
  }
  for (const node of existing.values()) node.remove();
}

const timeOfDay = new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit" });
const dayAndTime = new Intl.DateTimeFormat(language, {
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});
const fullDate = new Intl.DateTimeFormat(language, { dateStyle: "full", timeStyle: "short" });
const numbers = new Intl.NumberFormat(language);

function timeElement(iso) {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  return el("time", {
    datetime: iso,
    title: fullDate.format(date),
    text: (today ? timeOfDay : dayAndTime).format(date),
  });
}

/** Characters as the server counts them (code points, after trimming). */
function charCount(text) {
  return [...text.trim()].length;
}

export class RoomView {
  constructor(root, { store, slug }) {
    this.root = root;
    this.store = store;
    this.slug = slug;
    this.connection = null;
    this.pageRole = root.dataset.role;
    this.commentChars = Number(root.dataset.commentChars) || 5000;
    this.selectedGoal = null;
    this.anchor = null; // {paragraph, quote} for the next comment
    this.replyTo = null; // the comment the next comment answers
    this.editing = new Map(); // comment id → draft text of an open edit form
    this.live = false;
    // Drafts and unconfirmed posts belong to one person in one room (a shared computer may
    // sign in someone else in the same tab).
    this.storageKey = `konsens:room:${slug}:${root.dataset.user || "anonymous"}`;

    const byId = (id) => document.getElementById(id);
    this.dom = {
      status: byId("room-status"),
      statusText: byId("room-status-text"),
      reconnect: byId("room-reconnect"),
      alerts: byId("room-alerts"),
      announcer: byId("room-announcer"),
      notice: byId("room-notice"),
      noticeText: byId("room-notice-text"),
      noticeActions: byId("room-notice-actions"),
      fallback: byId("room-fallback"),
      liveView: byId("room-live"),
      goalSwitch: byId("goal-switch"),
      goalNav: byId("goal-nav"),
      goalSection: byId("room-goal"),
      goalMeta: byId("goal-meta"),
      goalTitle: byId("goal-title"),
      goalTools: byId("goal-tools"),
      paragraphs: byId("goal-paragraphs"),
      plain: byId("goal-plain"),
      goalEmpty: byId("goal-empty"),
      comments: byId("comment-list"),
      commentsCount: byId("comments-count"),
      commentsEmpty: byId("comments-empty"),
      composer: byId("composer"),
      composerBody: byId("composer-body"),
      composerGoal: byId("composer-goal"),
      composerAnchor: byId("composer-anchor"),
      composerReply: byId("composer-reply"),
      composerCount: byId("composer-count"),
      composerSend: byId("composer-send"),
      composerOffline: byId("composer-offline"),
      composerPending: byId("composer-pending"),
      presence: byId("presence-list"),
      presenceEmpty: byId("presence-empty"),
      viewers: byId("presence-viewers"),
      hands: byId("hand-queue"),
      handsEmpty: byId("hands-empty"),
      handToggle: byId("hand-toggle"),
      handNext: byId("hand-next"),
      handMine: byId("hand-mine"),
      dialog: byId("reason-dialog"),
      composerClosed: byId("composer-closed"),
    };
    const roundBox = byId("room-round");
    const votesBox = byId("room-votes");
    this.round = roundBox ? new RoundPanel(roundBox, this, byId("round-bar")) : null;
    this.votes = votesBox ? new RoomVotes(votesBox, this) : null;
    // News from a resume's replay, told in one notice (away.js); quiet while it runs.
    this.away = new AwaySummary({ me: () => this.myId, phaseLabel });
    this.quiet = false;
  }

  attach(connection) {
    this.connection = connection;
    this.bindComposer();
    this.dom.reconnect?.addEventListener("click", () => connection.reconnectNow());
    this.dom.handToggle?.addEventListener("click", () => this.toggleHand());
    this.dom.handNext?.addEventListener("click", () =>
      this.run("hand.next", {}, _("Die nächste Wortmeldung konnte nicht aufgerufen werden.")),
    );
    this.dom.paragraphs.addEventListener("click", (event) => this.onParagraphClick(event));
    this.votes?.attach(connection);
  }

  /** The callbacks the connection reports to. */
  handlers() {
    return {
      status: (state, detail) => this.setStatus(state, detail),
      snapshot: () => this.onSnapshot(),
      event: (frame) => {
        // During a resume's replay (the connection says so): news for the summary.
        if (this.connection?.replaying) this.away.note(frame);
        this.onEvent(frame);
      },
      replayStart: () => {
        this.away.start();
        this.quiet = true;
      },
      replayEnd: (complete) => {
        this.quiet = false;
        if (complete) this.tellAway();
        else this.away.pause();
      },
      problem: (frame) => this.showError(frame.message || _("Der Server hat das abgelehnt.")),
      resync: () => this.announce(_("Der Raum wird neu geladen.")),
    };
  }

  get role() {
    return this.store.role ?? this.pageRole;
  }

  get canPost() {
    return POSTING_ROLES.has(this.role) && this.dom.composer !== null;
  }

  get isModerator() {
    return this.role === "moderator";
  }

  get myId() {
    return this.store.me?.id ?? null;
  }

  /** Comments are open without a round and in its discussion phase (docs/rounds.md). */
  get commentsOpen() {
    return this.round?.commentsOpen ?? true;
  }

  /** The round panel, and the composer read-only while the round does not take comments. */
  renderRound() {
    this.round?.render();
    const { composerBody, composerClosed } = this.dom;
    if (composerBody) {
      composerBody.readOnly = !this.commentsOpen;
      if (composerClosed) composerClosed.hidden = this.commentsOpen;
    }
    this.updateComposerCount();
  }

  get online() {
    return this.connection?.online ?? false;
  }

  // --- connection state -------------------------------------------------------------------

  setStatus(state, detail) {
    document.body.dataset.ws = state;
    let text;
    if (state === "open") {
      text = _("Live verbunden");
    } else if (state === "connecting") {
      text = _("Verbindung wird aufgebaut …");
    } else if (detail.final === 4403) {
      text = _("Kein Zugang: Dieser Raum ist nur für Mitglieder.");
    } else if (detail.final === 4404) {
      text = _("Diesen Raum gibt es nicht mehr.");
    } else {
      text = _("Offline – die Verbindung wird wiederhergestellt …");
    }
    if (this.dom.statusText.textContent !== text) this.dom.statusText.textContent = text;
    this.dom.status.dataset.state = state;
    if (this.dom.reconnect) {
      this.dom.reconnect.hidden = state !== "offline" || Boolean(detail.final);
    }
    this.updateCommandAvailability();
  }

  updateCommandAvailability() {
    const online = this.online;
    for (const button of this.root.querySelectorAll("[data-command]")) {
      button.disabled = !online;
    }
    if (this.dom.handNext) {
      this.dom.handNext.disabled = !online || !(this.store.state?.hands.length > 0);
    }
    if (this.dom.composer) {
      this.dom.composerOffline.hidden = online || !this.live;
      this.updateComposerCount();
    }
  }

  // --- alerts and announcements -----------------------------------------------------------

  showError(message) {
    const close = el("button", {
      type: "button",
      class: "button button--quiet room-alert__close",
      text: _("Hinweis schließen"),
      onclick: () => this.dom.alerts.replaceChildren(),
    });
    this.dom.alerts.replaceChildren(
      el("div", { class: "alert room-alert" }, el("p", { text: message }), close),
    );
  }

  announce(text) {
    if (this.quiet) return; // a replay runs: its news comes as one summary (tellAway)
    // Emptied first so the same words twice are announced twice.
    this.dom.announcer.textContent = "";
    window.setTimeout(() => {
      this.dom.announcer.textContent = text;
    }, 60);
  }

  /**
   * Visible news that is also read out (the notice's text is a live region): `action` is
   * {label, run} for a button that goes where the news is about.
   */
  notify(text, action = null) {
    if (this.quiet) return;
    const { notice, noticeText, noticeActions } = this.dom;
    if (!notice) {
      this.announce(text);
      return;
    }
    notice.dataset.shown = "true";
    noticeText.textContent = "";
    window.setTimeout(() => {
      noticeText.textContent = text;
    }, 60);
    const close = () => {
      notice.dataset.shown = "false";
      noticeText.textContent = "";
      noticeActions.replaceChildren();
    };
    fill(
      noticeActions,
      action
        ? el("button", {
            type: "button",
            class: "button button--primary",
            id: "room-notice-go",
            text: action.label,
            onclick: () => {
              close();
              action.run();
            },
          })
        : null,
      el("button", { type: "button", class: "button button--quiet", text: _("Hinweis schließen"), onclick: close }),
    );
  }

  /** After a reconnect: what happened meanwhile, in one dismissible, announced notice. */
  tellAway() {
    const summary = this.away.finish(this.store.state?.hands ?? []);
    if (!summary) return;
    let action = null;
    if (summary.motion) {
      const id = summary.motion.id;
      action = { label: _("Zur Abstimmung"), run: () => this.jumpTo(document.getElementById(`motion-${id}-title`)) };
    } else if (summary.yourTurn) {
      action = { label: _("Zu den Wortmeldungen"), run: () => this.jumpTo(document.getElementById("hands-title")) };
    }
    this.notify(summary.text, action);
  }

  /** Bring `node` into view and put the keyboard focus on it. */
  jumpTo(node) {
    if (!node) return;
    if (!node.matches("a, button, input, select, textarea, [tabindex]")) node.setAttribute("tabindex", "-1");
    node.scrollIntoView({ block: "start" });
    node.focus({ preventScroll: true });
  }

  // --- snapshot and events ----------------------------------------------------------------

  onSnapshot() {
    const { state } = this.store;
    if (!this.live) {
      this.live = true;
      this.dom.fallback?.remove();
      this.dom.liveView.hidden = false;
      if (this.pageRole !== this.store.role) {
        this.showError(
          _("Ihre Rolle in diesem Raum hat sich geändert. Bitte laden Sie die Seite neu."),
        );
      }
      if (this.dom.composer && !POSTING_ROLES.has(this.store.role)) {
        this.dom.composer.hidden = true;
      }
      this.restorePendingPosts();
    }
    this.root.dataset.canPost = String(this.canPost);
    if (!state.goals.some((g) => g.id === this.selectedGoal)) {
      const focused = state.goals.find((g) => g.id === state.focus);
      this.selectGoal(focused?.id ?? state.goals[0]?.id ?? null, { render: false });
    }
    this.renderAll();
  }

  onEvent(frame) {
    const area = areaOf(frame.kind);
    if (area === "comments") {
      this.renderComments();
      this.renderCounts();
      const comment = frame.data.comment;
      if (frame.kind === "comment.created" && comment.author?.id !== this.myId) {
        const goal = this.store.goal(comment.goal);
        this.announce(
          format(_("Neuer Kommentar von %(name)s zu „%(goal)s“."), {
            name: comment.author?.name ?? "",
            goal: goal?.title ?? "",
          }),
        );
      }
    } else if (area === "hands") {
      this.renderHands();
      if (frame.kind === "hand.next" && frame.data.hand) {
        if (this.myId !== null && frame.data.hand.user?.id === this.myId) {
          this.notify(_("Sie haben das Wort"), {
            label: _("Zu den Wortmeldungen"),
            run: () => this.jumpTo(document.getElementById("hands-title")),
          });
        } else {
          this.announce(format(_("%(name)s hat das Wort."), { name: frame.data.hand.user.name }));
        }
      }
    } else if (area === "focus") {
      this.onFocus(frame.data.goal);
    } else if (area === "presence") {
      this.renderPresence();
    } else if (area === "round") {
      this.renderRound();
      if (frame.kind === "disposition.set") this.renderComments();
      if (frame.kind === "round.phase_changed") {
        const phase = frame.data.round.phase;
        this.announce(format(_("Die Runde ist jetzt in der Phase „%(phase)s“."), { phase: phaseLabel(phase) }));
      }
    } else if (area === "motions") {
      this.votes?.update(frame);
      if (frame.kind === "motion.opened") {
        const motion = frame.data.motion;
        this.notify(format(_("Abstimmung eröffnet: „%(goal)s“"), { goal: motion.goal?.title ?? "" }), {
          label: _("Zur Abstimmung"),
          run: () => this.jumpTo(document.getElementById(`motion-${motion.id}-title`)),
        });
      }
    } else if (area === "goals") {
      if (!this.store.goal(this.selectedGoal)) {
        this.selectGoal(this.store.state.focus ?? this.store.state.goals[0]?.id ?? null, {
          render: false,
        });
      }
      this.renderAll();
    }
  }

  onFocus(goalId) {
    const goal = this.store.goal(goalId);
    if (goal) {
      this.selectGoal(goal.id);
      this.announce(
        format(_("Die Moderation hat „%(goal)s“ in den Fokus gerückt."), { goal: goal.title }),
      );
    } else {
      this.renderGoalSwitch();
      this.renderGoal();
      this.announce(_("Die Moderation hat den Fokus aufgehoben."));
    }
  }

  renderAll() {
    this.renderRound();
    this.votes?.render();
    this.renderGoalSwitch();
    this.renderGoal();
    this.renderComments();
    this.renderComposerContext();
    this.renderPresence();
    this.renderHands();
    this.updateCommandAvailability();
  }

  // --- goals ------------------------------------------------------------------------------

  selectGoal(goalId, { render = true } = {}) {
    if (goalId !== this.selectedGoal) {
      this.selectedGoal = goalId;
      this.anchor = null;
      this.replyTo = null;
    }
    if (render) {
      this.round?.render();
      this.renderGoalSwitch();
      this.renderGoal();
      this.renderComments();
      this.renderComposerContext();
      this.proposals?.render(); // change proposals (proposals.js)
    }
  }

  renderGoalSwitch() {
    const { goals, focus } = this.store.state;
    this.dom.goalNav.hidden = goals.length < 2;
    reconcile(this.dom.goalSwitch, goals, (goal, old) => {
      const item =
        old ??
        el(
          "li",
          { class: "goal-switch__item" },
          el("button", {
            type: "button",
            class: "goal-switch__button",
            onclick: () => this.selectGoal(goal.id),
          }),
        );
      // The button stays (and keeps the keyboard focus); only what it says changes.
      const button = item.firstElementChild;
      const { total } = this.store.counts(goal.id);
      button.setAttribute("aria-pressed", goal.id === this.selectedGoal ? "true" : "false");
      button.replaceChildren(
        el("span", { class: "goal-switch__title", text: goal.title }),
        el(
          "span",
          { class: "goal-switch__meta" },
          format(ngettext("%(n)s Kommentar", "%(n)s Kommentare", total), {
            n: numbers.format(total),
          }),
          goal.id === focus ? el("span", { class: "focus-badge", text: _("im Fokus") }) : null,
        ),
      );
      return item;
    });
  }

  renderGoal() {
    const goal = this.store.goal(this.selectedGoal);
    const { focus } = this.store.state;
    this.dom.goalEmpty.hidden = goal !== null;
    this.dom.goalSection.hidden = goal === null;
    if (!goal) {
      this.dom.paragraphs.replaceChildren();
      return;
    }
    const version = goal.version;
    const meta = [];
    if (version) {
      meta.push(format(_("Fassung %(n)s"), { n: version.number }));
    }
    const metaParts = [
      el("span", { text: meta.join(" · ") }),
      el("a", { href: `/ziele/${goal.id}/`, class: "room-goal__link", text: _("Alle Fassungen") }),
    ];
    if (goal.id === focus) {
      metaParts.splice(1, 0, el("span", { class: "focus-badge", text: _("Im Fokus der Moderation") }));
    }
    this.dom.goalMeta.replaceChildren(...metaParts);
    this.dom.goalTitle.textContent = goal.title;
    this.renderGoalTools(goal, focus);
    const paragraphs = version?.paragraphs ?? [];
    // With the server's line numbers (deliberation.lines) when it sends them.
    const lines = version?.lines ?? [];
    const items = paragraphs.map((html, index) => ({ id: index + 1, html, lines: lines[index] }));
    if (this.dom.plain) renderPlain(this.dom.plain, version?.plain ?? null);
    reconcile(this.dom.paragraphs, items, (paragraph, old) => {
      if (old && old.paragraphHtml === paragraph.html && old.goalId === goal.id) return old;
      const item = el(
        "li",
        { class: "room-para", id: `absatz-${paragraph.id}`, dataset: { paragraph: paragraph.id } },
        el("span", { class: "room-para__number", "aria-hidden": "true", text: paragraph.id }),
        el(
          "div",
          { class: "room-para__text prose" },
          paragraph.lines ? numberedLines(paragraph.lines) : trustedHtml(paragraph.html),
        ),
        el("span", { class: "room-para__marker-slot" }),
      );
      item.paragraphHtml = paragraph.html;
      item.goalId = goal.id;
      return item;
    });
    this.renderCounts();
  }

  renderGoalTools(goal, focus) {
    const tools = this.dom.goalTools;
    tools.replaceChildren();
    if (!this.isModerator) return;
    const focused = goal.id === focus;
    tools.append(
      el("button", {
        type: "button",
        class: focused ? "button button--quiet" : "button",
        dataset: { command: "focus.set" },
        disabled: !this.online,
        text: focused ? _("Fokus aufheben") : _("Alle auf dieses Ziel holen"),
        onclick: () =>
          this.run(
            "focus.set",
            { goal: focused ? null : goal.id },
            _("Der Fokus konnte nicht gesetzt werden."),
          ),
      }),
    );
  }

  /** The comment markers beside the paragraphs and the counts in the goal switch. */
  renderCounts() {
    const goalId = this.selectedGoal;
    if (goalId === null) return;
    const { paragraphs } = this.store.counts(goalId);
    for (const item of this.dom.paragraphs.children) {
      const n = Number(item.dataset.paragraph);
      const count = paragraphs.get(n) ?? 0;
      const slot = item.querySelector(".room-para__marker-slot");
      const active = this.anchor?.paragraph === n;
      item.classList.toggle("room-para--anchored", active);
      const key = `${count}|${active}|${this.canPost}`;
      if (slot.dataset.key === key) continue;
      slot.dataset.key = key;
      const hadFocus = slot.contains(document.activeElement);
      const countText = format(ngettext("%(n)s Kommentar", "%(n)s Kommentare", count), {
        n: numbers.format(count),
      });
      if (this.canPost) {
        slot.replaceChildren(
          el(
            "button",
            {
              type: "button",
              class: "room-para__marker",
              "aria-pressed": active ? "true" : "false",
              "data-paragraph": n,
              title: format(_("Zu Absatz %(n)s kommentieren"), { n }),
            },
            bubbleIcon(),
            el("span", { class: "room-para__count", "aria-hidden": "true", text: count || "" }),
            el("span", {
              class: "visually-hidden",
              text: `${format(_("Zu Absatz %(n)s kommentieren"), { n })} (${countText})`,
            }),
          ),
        );
      } else if (count > 0) {
        slot.replaceChildren(
          el(
            "span",
            { class: "room-para__marker room-para__marker--static" },
            bubbleIcon(),
            el("span", { class: "room-para__count", "aria-hidden": "true", text: count }),
            el("span", {
              class: "visually-hidden",
              text: format(_("Absatz %(n)s: %(count)s"), { n, count: countText }),
            }),
          ),
        );
      } else {
        slot.replaceChildren();
      }
      if (hadFocus) slot.querySelector("button")?.focus();
    }
    this.renderGoalSwitch(); // its comment counts; a handful of goals
  }

  onParagraphClick(event) {
    if (!this.canPost) return;
    const marker = event.target.closest(".room-para__marker");
    const item = event.target.closest(".room-para");
    if (!item || (!marker && event.target.closest("a, button"))) return;
    const n = Number(item.dataset.paragraph);
    if (marker && this.anchor?.paragraph === n) {
      this.setAnchor(null);
      return;
    }
    this.setAnchor({ paragraph: n, quote: this.selectedQuote(item) });
    this.dom.composerBody.focus({ preventScroll: false });
  }

  /** Text the reader selected inside the paragraph, to quote with the comment. */
  selectedQuote(item) {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !item.contains(selection.anchorNode)) return null;
    const text = selection.toString().replace(/\s+/g, " ").trim();
    return text ? [...text].slice(0, QUOTE_MAX).join("") : null;
  }

  setAnchor(anchor) {
    this.anchor = anchor;
    if (anchor) this.replyTo = null;
    this.renderCounts();
    this.renderComposerContext();
  }

  // --- comments ---------------------------------------------------------------------------

  renderComments() {
    const goalId = this.selectedGoal;
    const threads = goalId === null ? [] : this.store.threads(goalId);
    const { total } = goalId === null ? { total: 0 } : this.store.counts(goalId);
    this.dom.commentsCount.textContent = numbers.format(total);
    this.dom.commentsEmpty.hidden = threads.length > 0;
    const items = threads.map((thread) => ({ id: thread.comment.id, thread }));
    reconcile(this.dom.comments, items, ({ thread }, old) => this.threadNode(thread, old));
    if (this.replyTo && !this.store.state.comments.has(this.replyTo.id)) this.replyTo = null;
  }

  threadNode(thread, old) {
    const item = this.commentNode(thread.comment, old);
    let replies = item.querySelector(":scope > .comment__replies");
    if (thread.replies.length) {
      if (!replies) {
        replies = el("ol", {
          class: "comment__replies",
          "aria-label": format(_("Antworten auf %(name)s"), {
            name: thread.comment.author?.name ?? "",
          }),
        });
        item.append(replies);
      }
      const items = thread.replies.map((reply) => ({ id: reply.id, reply }));
      reconcile(replies, items, ({ reply }, oldReply) => this.commentNode(reply, oldReply));
    } else {
      replies?.remove();
    }
    return item;
  }

  commentNode(comment, old) {
    const editing = this.editing.has(comment.id);
    const decision = this.store.decision(comment.id);
    const decided = decision ? `${decision.id}|${decision.value}|${decision.response}` : "";
    const shown = this.store.goal(comment.goal)?.version?.number ?? "";
    const stamp = `${this.role}|${editing}|${decided}|${shown}`;
    if (old && old.comment === comment && old.dataset.stamp === stamp) return old;
    const item = old ?? el("li", { class: "comment", id: `kommentar-${comment.id}` });
    item.comment = comment;
    item.dataset.stamp = stamp;
    item.dataset.author = comment.author?.id ?? "";
    const card = this.commentCard(comment, editing);
    const previous = item.querySelector(":scope > .comment__card");
    const focusKey = previous?.contains(document.activeElement)
      ? document.activeElement.dataset.focusKey
      : null;
    if (previous) previous.replaceWith(card);
    else item.prepend(card);
    if (focusKey) card.querySelector(`[data-focus-key="${focusKey}"]`)?.focus();
    return item;
  }

  commentCard(comment, editing) {
    const hidden = comment.state === "hidden";
    const mine = this.myId !== null && comment.author?.id === this.myId;
    const classes = ["comment__card"];
    if (hidden) classes.push("comment__card--hidden");
    if (mine) classes.push("comment__card--mine");

    const meta = el(
      "p",
      { class: "comment__meta" },
      el("span", { class: "comment__author", text: comment.author?.name ?? _("Unbekannt") }),
      mine ? el("span", { class: "comment__you", text: _("Sie") }) : null,
      timeElement(comment.created_at),
      comment.edited_at ? el("span", { class: "comment__edited", text: _("bearbeitet") }) : null,
      comment.anchor?.paragraph
        ? el("a", {
            class: "comment__anchor",
            href: `#absatz-${comment.anchor.paragraph}`,
            text: format(_("zu Absatz %(n)s"), { n: comment.anchor.paragraph }),
          })
        : null,
    );
    const card = el("article", { class: classes.join(" ") }, meta);
    const shown = this.store.goal(comment.goal)?.version?.number ?? null;
    const placement = placementBadge(comment, shown);
    if (placement) card.append(placement);
    if (comment.anchor?.quote) {
      card.append(el("blockquote", { class: "comment__quote", text: comment.anchor.quote }));
    }
    if (hidden) {
      const reason = comment.moderation_reason;
      card.append(
        el(
          "p",
          { class: "comment__hidden-note" },
          el("strong", { text: _("Von der Moderation ausgeblendet.") }),
          reason ? ` ${format(_("Grund: %(reason)s"), { reason })}` : null,
        ),
      );
    }
    if (editing) {
      card.append(this.editForm(comment));
    } else if (comment.body_html !== null) {
      const body = el("div", { class: "comment__body prose" }, trustedHtml(comment.body_html));
      card.append(linkLineCitations(body, comment, shown));
    }
    const decision = this.store.decision(comment.id);
    if (decision) card.append(this.decisionNote(decision));
    const actions = this.commentActions(comment, { hidden, mine, editing });
    if (actions.childElementCount) card.append(actions);
    return card;
  }

  /** The decision on a comment (disposition and response), shown to everybody. */
  decisionNote(decision) {
    return el(
      "div",
      { class: "comment__decision", dataset: { disposition: decision.value } },
      el("p", { class: "comment__decision-value" }, el("strong", {
        text: format(_("Entscheidung: %(value)s"), { value: dispositionLabel(decision.value) }),
      })),
      decision.response ? el("p", { class: "comment__decision-response", text: decision.response }) : null,
    );
  }

  commentActions(comment, { hidden, mine, editing }) {
    const actions = el("div", { class: "comment__actions" });
    const name = comment.author?.name ?? "";
    // Many comments have the same buttons: the hidden part says whose comment each is for.
    const whose = ` ${format(_("(Kommentar von %(name)s)"), { name })}`;
    const button = (text, key, command, onclick) =>
      el(
        "button",
        {
          type: "button",
          class: "link-button",
          dataset: { command, focusKey: key },
          disabled: !this.online,
          onclick,
        },
        text,
        el("span", { class: "visually-hidden", text: whose }),
      );
    if (this.canPost && comment.reply_to === null && !hidden) {
      actions.append(
        button(_("Antworten"), "reply", "comment.post", () => this.startReply(comment)),
      );
    }
    if (this.canPost && mine && !hidden && !editing) {
      actions.append(
        button(_("Bearbeiten"), "edit", "comment.edit", () => this.startEdit(comment)),
      );
    }
    if (this.isModerator) {
      if (hidden) {
        actions.append(
          button(_("Einblenden"), "moderate", "comment.unhide", () =>
            this.moderate(comment, "comment.unhide"),
          ),
        );
      } else {
        actions.append(
          button(_("Ausblenden"), "moderate", "comment.hide", () =>
            this.moderate(comment, "comment.hide"),
          ),
        );
      }
    }
    return actions;
  }

  startReply(comment) {
    this.replyTo = comment;
    this.anchor = null;
    this.renderCounts();
    this.renderComposerContext();
    this.dom.composerBody.focus();
  }

  startEdit(comment) {
    this.editing.set(comment.id, comment.body ?? "");
    this.renderComments();
    document.getElementById(`bearbeiten-${comment.id}`)?.focus();
  }

  stopEdit(commentId, { focus = true } = {}) {
    this.editing.delete(commentId);
    this.renderComments();
    if (focus) {
      document.querySelector(`#kommentar-${commentId} [data-focus-key="edit"]`)?.focus();
    }
  }

  editForm(comment) {
    const id = `bearbeiten-${comment.id}`;
    const textarea = el("textarea", {
      id,
      class: "textarea",
      rows: 4,
      dataset: { focusKey: "edit-text" },
    });
    textarea.value = this.editing.get(comment.id) ?? "";
    textarea.addEventListener("input", () => this.editing.set(comment.id, textarea.value));
    const form = el(
      "form",
      { class: "comment__edit" },
      el("label", { for: id, text: _("Ihren Kommentar bearbeiten") }),
      textarea,
      el(
        "div",
        { class: "comment__edit-buttons" },
        el("button", {
          type: "submit",
          class: "button button--primary",
          dataset: { command: "comment.edit", focusKey: "edit-save" },
          disabled: !this.online,
          text: _("Speichern"),
        }),
        el("button", {
          type: "button",
          class: "button button--quiet",
          text: _("Abbrechen"),
          onclick: () => this.stopEdit(comment.id),
        }),
      ),
    );
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      } else if (event.key === "Escape") {
        this.stopEdit(comment.id);
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = textarea.value;
      if (!this.checkLength(body)) return;
      this.connection
        .command("comment.edit", { comment: comment.id, body })
        .then(() => this.stopEdit(comment.id))
        .catch((error) => this.showError(error.message));
    });
    return form;
  }

  checkLength(body) {
    const n = charCount(body);
    if (n === 0) {
      this.showError(_("Der Kommentar ist leer."));
      return false;
    }
    if (n > this.commentChars) {
      this.showError(
        format(_("Ein Kommentar darf höchstens %(n)s Zeichen lang sein (dieser hat %(m)s)."), {
          n: numbers.format(this.commentChars),
          m: numbers.format(n),
        }),
      );
      return false;
    }
    return true;
  }

  async moderate(comment, command) {
    const hide = command === "comment.hide";
    const reason = await this.askReason({
      title: hide ? _("Kommentar ausblenden") : _("Kommentar wieder einblenden"),
      confirm: hide ? _("Ausblenden") : _("Einblenden"),
      excerpt: `${comment.author?.name ?? ""}: ${(comment.body ?? "").slice(0, 140)}`,
    });
    if (!reason) return;
    this.run(command, { comment: comment.id, reason }, _("Das hat nicht geklappt."));
  }

  /** The moderator's reason, asked in a modal dialog; null when cancelled. */
  askReason({ title, confirm, excerpt }) {
    const dialog = this.dom.dialog;
    if (!dialog || typeof dialog.showModal !== "function") {
      return Promise.resolve(window.prompt(title)?.trim() || null);
    }
    dialog.querySelector("#reason-title").textContent = title;
    dialog.querySelector("#reason-confirm").textContent = confirm;
    dialog.querySelector("#reason-excerpt").textContent = excerpt;
    const text = dialog.querySelector("#reason-text");
    text.value = "";
    dialog.returnValue = "";
    const opener = document.activeElement;
    return new Promise((resolve) => {
      dialog.addEventListener(
        "close",
        () => {
          const reason = dialog.returnValue === "confirm" ? text.value.trim() : "";
          if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
          resolve(reason || null);
        },
        { once: true },
      );
      dialog.showModal();
      text.focus();
    });
  }

  // --- the composer -----------------------------------------------------------------------

  bindComposer() {
    const { composer, composerBody } = this.dom;
    if (!composer) return;
    composerBody.value = sessionStorage.getItem(`${this.storageKey}:draft`) ?? "";
    composerBody.addEventListener("input", () => {
      sessionStorage.setItem(`${this.storageKey}:draft`, composerBody.value);
      this.updateComposerCount();
    });
    composerBody.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        composer.requestSubmit();
      }
    });
    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submitComment();
    });
    this.updateComposerCount();
  }

  updateComposerCount() {
    const { composer, composerBody, composerCount, composerSend } = this.dom;
    if (!composer) return;
    const n = charCount(composerBody.value);
    const over = n > this.commentChars;
    composerCount.textContent = format(_("%(n)s von %(max)s Zeichen"), {
      n: numbers.format(n),
      max: numbers.format(this.commentChars),
    });
    composerCount.classList.toggle("composer__count--over", over);
    composerBody.setAttribute("aria-invalid", over ? "true" : "false");
    composerSend.disabled = !this.online || this.selectedGoal === null || !this.commentsOpen;
  }

  renderComposerContext() {
    const { composer } = this.dom;
    if (!composer) return;
    const goal = this.store.goal(this.selectedGoal);
    this.dom.composerGoal.textContent = goal
      ? format(_("Zum Ziel „%(goal)s“"), { goal: goal.title })
      : _("Zurzeit steht kein Ziel zur Diskussion.");
    const chip = (text, removeLabel, onRemove) =>
      el(
        "span",
        { class: "chip" },
        el("span", { text }),
        el(
          "button",
          { type: "button", class: "chip__remove", onclick: onRemove },
          el("span", { "aria-hidden": "true", text: "×" }),
          el("span", { class: "visually-hidden", text: removeLabel }),
        ),
      );
    if (this.anchor) {
      const text = this.anchor.quote
        ? format(_("Zu Absatz %(n)s: „%(quote)s“"), {
            n: this.anchor.paragraph,
            quote: this.anchor.quote,
          })
        : format(_("Zu Absatz %(n)s"), { n: this.anchor.paragraph });
      this.dom.composerAnchor.replaceChildren(
        chip(text, _("Bezug auf den Absatz entfernen"), () => {
          this.setAnchor(null);
          this.dom.composerBody.focus();
        }),
      );
    } else {
      this.dom.composerAnchor.replaceChildren();
    }
    if (this.replyTo) {
      this.dom.composerReply.replaceChildren(
        chip(
          format(_("Antwort an %(name)s"), { name: this.replyTo.author?.name ?? "" }),
          _("Nicht mehr antworten"),
          () => {
            this.replyTo = null;
            this.renderComposerContext();
            this.dom.composerBody.focus();
          },
        ),
      );
    } else {
      this.dom.composerReply.replaceChildren();
    }
    this.updateComposerCount();
  }

  submitComment() {
    const { composerBody } = this.dom;
    if (!this.online || this.selectedGoal === null) return;
    const body = composerBody.value;
    if (!this.checkLength(body)) {
      composerBody.focus();
      return;
    }
    const fields = { goal: this.selectedGoal, body, client_key: newClientKey() };
    if (this.anchor) {
      fields.anchor = { paragraph: this.anchor.paragraph };
      if (this.anchor.quote) fields.anchor.quote = this.anchor.quote;
    }
    if (this.replyTo) fields.reply_to = this.replyTo.id;
    composerBody.value = "";
    sessionStorage.removeItem(`${this.storageKey}:draft`);
    this.anchor = null;
    this.replyTo = null;
    this.renderCounts();
    this.renderComposerContext();
    this.post(fields);
  }

  /** Send a comment and show it as pending until the server has it. */
  post(fields) {
    const pending = el(
      "li",
      { class: "composer__pending-item" },
      el("span", { class: "composer__pending-label", text: _("Wird gesendet:") }),
      " ",
      el("span", { text: [...fields.body.trim()].slice(0, 80).join("") }),
    );
    this.dom.composerPending.append(pending);
    this.storePending(fields, true);
    this.connection
      .command("comment.post", fields)
      .then((ack) => {
        this.announce(ack.created === false ? _("Kommentar war schon da.") : _("Gesendet."));
      })
      .catch((error) => {
        // Nothing typed is lost: the text goes back into the box if that is empty.
        const { composerBody } = this.dom;
        if (!composerBody.value.trim()) {
          composerBody.value = fields.body;
          sessionStorage.setItem(`${this.storageKey}:draft`, fields.body);
          this.updateComposerCount();
        }
        this.showError(error.message || _("Der Kommentar konnte nicht gesendet werden."));
      })
      .finally(() => {
        pending.remove();
        this.storePending(fields, false);
      });
  }

  /** Posts not yet acknowledged survive a reload of the page (same client_key: no double). */
  storePending(fields, add) {
    const key = `${this.storageKey}:pending`;
    let list;
    try {
      list = JSON.parse(sessionStorage.getItem(key) ?? "[]");
    } catch {
      list = [];
    }
    list = list.filter((item) => item.client_key !== fields.client_key);
    if (add) list.push(fields);
    if (list.length) sessionStorage.setItem(key, JSON.stringify(list));
    else sessionStorage.removeItem(key);
  }

  restorePendingPosts() {
    if (!this.canPost) return;
    let list;
    try {
      list = JSON.parse(sessionStorage.getItem(`${this.storageKey}:pending`) ?? "[]");
    } catch {
      list = [];
    }
    for (const fields of list) this.post(fields);
  }

  // --- presence ---------------------------------------------------------------------------

  renderPresence() {
    const { members, viewers } = this.store.state.presence;
    this.dom.presenceEmpty.hidden = members.length > 0;
    reconcile(this.dom.presence, members, (member, old) => {
      const item = old ?? el("li", { class: "presence__member" });
      fill(
        item,
        el("span", { class: "presence__dot", "aria-hidden": "true" }),
        el(
          "span",
          { class: "presence__who" },
          el("span", { class: "presence__name", text: member.name }),
          member.id === this.myId ? el("span", { class: "comment__you", text: _("Sie") }) : null,
          el("span", { class: "presence__role", text: ROLE_LABELS[member.role]?.() ?? "" }),
        ),
      );
      return item;
    });
    this.dom.viewers.textContent = format(
      ngettext("%(n)s Person liest mit.", "%(n)s Personen lesen mit.", viewers),
      { n: numbers.format(viewers) },
    );
  }

  // --- hands ------------------------------------------------------------------------------

  renderHands() {
    const { hands } = this.store.state;
    this.dom.handsEmpty.hidden = hands.length > 0;
    let waiting = 0;
    const positions = new Map();
    for (const hand of hands) {
      if (hand.state === "waiting") positions.set(hand.id, ++waiting);
    }
    const focusKey = this.dom.hands.contains(document.activeElement)
      ? document.activeElement.dataset.focusKey
      : null;
    reconcile(this.dom.hands, hands, (hand, old) => {
      const item = old ?? el("li", { class: "hand" });
      const speaking = hand.state === "speaking";
      item.className = `hand${speaking ? " hand--speaking" : ""}${hand.point_of_order ? " hand--order" : ""}`;
      fill(
        item,
        el("span", {
          class: "hand__position",
          "aria-hidden": "true",
          text: speaking ? "▶" : positions.get(hand.id),
        }),
        el(
          "span",
          { class: "hand__who" },
          el("span", { class: "hand__name", text: hand.user?.name ?? "" }),
          hand.user?.id === this.myId
            ? el("span", { class: "comment__you", text: _("Sie") })
            : null,
          // A point of order goes to the top: said in words, for eyes and screen readers alike.
          hand.point_of_order
            ? el("span", { class: "chip hand__order", text: _("Geschäftsordnungsantrag") })
            : null,
          el("span", {
            class: "hand__state",
            text: speaking
              ? _("hat das Wort")
              : format(_("wartet (Platz %(n)s)"), { n: positions.get(hand.id) }),
          }),
        ),
        this.isModerator
          ? el(
              "button",
              {
                type: "button",
                class: "link-button",
                dataset: { command: "hand.lower", focusKey: `lower-${hand.user?.id}` },
                disabled: !this.online,
                onclick: () =>
                  this.run(
                    "hand.lower",
                    { user: hand.user.id },
                    _("Die Wortmeldung konnte nicht zurückgenommen werden."),
                  ),
              },
              _("Zurücknehmen"),
              el("span", {
                class: "visually-hidden",
                text: ` ${format(_("(Wortmeldung von %(name)s)"), { name: hand.user?.name ?? "" })}`,
              }),
            )
          : null,
      );
      return item;
    });
    if (focusKey) this.dom.hands.querySelector(`[data-focus-key="${focusKey}"]`)?.focus();
    const mine = this.myId === null ? null : this.store.handOf(this.myId);
    if (this.dom.handToggle) {
      this.dom.handToggle.dataset.hand = mine ? mine.state : "none";
      if (!mine) this.dom.handToggle.textContent = _("Hand heben");
      else if (mine.state === "speaking") this.dom.handToggle.textContent = _("Wortbeitrag beenden");
      else this.dom.handToggle.textContent = _("Hand senken");
      this.dom.handToggle.hidden = !POSTING_ROLES.has(this.role);
    }
    if (this.dom.handMine) {
      let text = "";
      if (mine?.state === "speaking") text = _("Sie haben das Wort.");
      else if (mine) text = format(_("Sie sind auf Platz %(n)s."), { n: positions.get(mine.id) });
      this.dom.handMine.textContent = text;
    }
    this.updateCommandAvailability();
  }

  toggleHand() {
    const mine = this.myId === null ? null : this.store.handOf(this.myId);
    if (mine) {
      this.run("hand.lower", {}, _("Die Wortmeldung konnte nicht zurückgenommen werden."));
    } else {
      this.run("hand.raise", {}, _("Die Wortmeldung hat nicht geklappt."));
    }
  }

  /** Send a command; show the server's message if it is refused. */
  run(type, fields, fallbackMessage) {
    return this.connection
      .command(type, fields)
      .catch((error) => this.showError(error.message || fallbackMessage));
  }
}
