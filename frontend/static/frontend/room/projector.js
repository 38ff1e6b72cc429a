// The projector view (/raeume/<slug>/projektion/): the room for the wall. It reads the same
// socket as the room page, as a reader that sends nothing, and reuses its connection and
// store (docs/protocol.md): the welcome snapshot, then every event. It follows the
// moderator's focus, shows the speakers' queue with the speaker's remaining time, the
// agenda item's countdown, a temperature check's counts and the vote's turnout and result.

import { RoomConnection } from "./connection.js";
import { numberedLines } from "./drafting.js";
import { format, gettext, ngettext } from "./i18n.js";
import { RoomStore } from "./store.js";

const data = JSON.parse(document.getElementById("projector-data").textContent);
const $ = (id) => document.getElementById(id);

const OUTCOMES = {
  adopted: gettext("angenommen"),
  rejected: gettext("abgelehnt"),
  no_quorum: gettext("Quorum verfehlt"),
};

function clock(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(seconds / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return `${m}:${s}`;
}

function nameOf(hand) {
  return hand.user?.name ?? "";
}

class Projector {
  constructor(store) {
    this.store = store;
    this.timer = null;
  }

  handlers() {
    return {
      status: (state) => this.status(state),
      snapshot: () => this.render(),
      event: () => this.render(),
      problem: () => {},
      resync: () => {},
    };
  }

  status(state) {
    document.body.dataset.ws = state;
    const texts = {
      open: gettext("Live"),
      connecting: gettext("Verbindung wird aufgebaut …"),
      offline: gettext("Verbindung unterbrochen – neuer Versuch …"),
    };
    $("projector-status").textContent = texts[state] ?? "";
  }

  render() {
    const state = this.store.state;
    if (!state) return;
    this.renderGoal(state);
    this.renderSpeakers(state);
    this.renderPulse(state);
    this.renderVote(state);
    this.tick();
    if (this.timer === null) this.timer = window.setInterval(() => this.tick(), 500);
  }

  renderGoal(state) {
    const goal = state.focus === null ? null : state.goals.find((g) => g.id === state.focus);
    const title = $("projector-goal-title");
    const list = $("projector-goal-text");
    title.dataset.focus = goal ? String(goal.id) : "";
    if (!goal) {
      title.textContent = gettext("Kein Ziel im Fokus");
      list.replaceChildren();
      return;
    }
    title.textContent = goal.title;
    const lines = goal.version?.lines ?? [];
    const items = (goal.version?.paragraphs ?? []).map((html, index) => {
      const item = document.createElement("li");
      item.className = "projector__paragraph";
      item.value = index + 1;
      if (lines[index]) {
        // The same line numbers as every other view (deliberation.lines).
        const box = document.createElement("div");
        box.className = "room-para__text";
        box.append(numberedLines(lines[index]));
        item.append(box);
      } else {
        // Sanitised on the server (docs/protocol.md, "Goal"): safe to insert as HTML.
        item.innerHTML = html;
      }
      return item;
    });
    list.replaceChildren(...items);
  }

  renderSpeakers(state) {
    const hands = state.hands ?? [];
    const speaking = hands.find((h) => h.state === "speaking") ?? null;
    this.speaking = speaking;
    $("projector-speaker").textContent = speaking
      ? format(gettext("Es spricht: %(name)s"), { name: nameOf(speaking) })
      : gettext("Niemand hat das Wort.");
    const waiting = hands.filter((h) => h.state === "waiting");
    const items = waiting.map((hand) => {
      const item = document.createElement("li");
      item.textContent = nameOf(hand);
      if (hand.point_of_order) {
        const tag = document.createElement("span");
        tag.className = "projector__tag";
        tag.textContent = ` (${gettext("Geschäftsordnungsantrag")})`;
        item.append(tag);
      }
      return item;
    });
    if (!items.length) {
      const item = document.createElement("li");
      item.className = "projector__empty";
      item.textContent = gettext("Keine Wortmeldungen.");
      items.push(item);
    }
    $("projector-queue").replaceChildren(...items);
  }

  renderPulse(state) {
    const pulse = state.pulse ?? null;
    const section = $("projector-pulse");
    section.hidden = pulse === null;
    if (!pulse) return;
    $("projector-pulse-question").textContent = pulse.question;
    const c = pulse.counts;
    $("projector-pulse-counts").textContent = `👍 ${c.agree} · 🤔 ${c.unsure} · 👎 ${c.disagree}`;
  }

  renderVote(state) {
    const motions = state.motions ?? [];
    const open = motions.filter((m) => !m.result);
    const motion = open.length ? open[open.length - 1] : motions[motions.length - 1];
    const section = $("projector-vote");
    section.hidden = !motion;
    if (!motion) return;
    $("projector-vote-goal").textContent = motion.goal?.title ?? "";
    let text;
    if (motion.result) {
      text = format(gettext("Ergebnis: %(outcome)s"), {
        outcome: OUTCOMES[motion.result.outcome] ?? motion.result.outcome,
      });
    } else {
      text = format(
        ngettext(
          "%(t)s von %(n)s hat abgestimmt",
          "%(t)s von %(n)s haben abgestimmt",
          motion.turnout,
        ),
        { t: motion.turnout, n: motion.eligible },
      );
    }
    $("projector-vote-state").textContent = text;
  }

  /** The countdowns, against the server's clock (store.serverNow). */
  tick() {
    const now = this.store.serverNow();
    const speaking = this.speaking;
    const time = $("projector-speaker-time");
    if (speaking?.deadline) {
      const left = Date.parse(speaking.deadline) - now;
      time.textContent = format(gettext("Redezeit: %(time)s"), { time: clock(left) });
      time.dataset.over = left <= 0 ? "true" : "false";
    } else {
      time.textContent = "";
    }
    const round = this.store.state?.round?.round ?? null;
    const item = round?.agenda?.find((i) => i.id === round.current_item) ?? null;
    $("projector-agenda").hidden = !item;
    if (item) {
      $("projector-agenda-item").textContent = item.goal_title;
      $("projector-agenda-countdown").textContent = item.deadline
        ? clock(Date.parse(item.deadline) - now)
        : "";
    }
  }
}

const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
const store = new RoomStore();
const projector = new Projector(store);
const connection = new RoomConnection({
  url: `${scheme}//${window.location.host}${data.ws_path}`,
  store,
  handlers: projector.handlers(),
});
connection.start();
