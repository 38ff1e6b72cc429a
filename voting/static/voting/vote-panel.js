// The vote panel of the live room: rule, choices, reason, confirmation, live turnout, and
// once closed the result with its counts and a small chart. Plain ES module, no bundler.
//
// How the room wires it (see docs/voting.md, "In the room"):
//
//   import { MOTION_REDUCERS, VotePanel, isMotionEvent } from "/static/voting/vote-panel.js";
//   // snapshot: state.motions = snapshot.motions            (voting.selectors.room_motions)
//   // reducers: Object.assign(REDUCERS, MOTION_REDUCERS)    (stale snapshot + events = fresh)
//   const panel = new VotePanel(element);
//   panel.render(state.motions);                            // after welcome
//   if (isMotionEvent(frame.kind)) panel.update(state.motions, frame);  // after each event
//
// Casting and closing go through the room socket when the room passes `send` (`new
// VotePanel(element, { send: (type, fields) => connection.command(type, fields) })`: frames
// `ballot.cast` and `motion.close`, docs/protocol.md), else through the REST API (PUT
// /api/v1/motions/<id>/ballot/, POST /api/v1/motions/<id>/close/) with the page's session and
// CSRF cookie; the room socket then brings the turnout / result to everybody, this tab included. Every text is set with
// textContent: nothing from the server is parsed as HTML.

const API = "/api/v1";

// Named as Django's makemessages looks for them (xgettext keywords), so every text below is in
// the JavaScript catalogue; table entries are marked with gettext_noop and translated on use.
const gettext = (text) => (typeof globalThis.gettext === "function" ? globalThis.gettext(text) : text);
const gettext_noop = (text) => text;
const fill = (text, values) =>
  text.replace(/%\((\w+)\)s/g, (m, name) => (name in values ? String(values[name]) : m));

const CHOICES = {
  consent: [
    ["consent", gettext_noop("Zustimmung"), gettext_noop("Ich trage das Ziel in dieser Fassung mit.")],
    ["consent_with_concerns", gettext_noop("Zustimmung mit Bedenken"), gettext_noop("Ich trage es mit, habe aber Bedenken (bitte kurz begründen).")],
    ["abstain", gettext_noop("Enthaltung"), gettext_noop("Ich enthalte mich; zählt fürs Quorum, nicht für den Anteil.")],
    ["veto", gettext_noop("Veto"), gettext_noop("Ich kann das Ziel so nicht mittragen (Begründung nötig).")],
  ],
  majority: [
    ["yes", gettext_noop("Ja"), ""],
    ["no", gettext_noop("Nein"), ""],
    ["abstain", gettext_noop("Enthaltung"), ""],
  ],
};
const METHODS = { consent: gettext_noop("Konsent"), majority: gettext_noop("Mehrheit"), resistance: gettext_noop("Widerstandsabfrage") };
const OUTCOMES = { adopted: gettext_noop("angenommen"), rejected: gettext_noop("abgelehnt"), no_quorum: gettext_noop("Quorum verfehlt") };

export const MOTION_REDUCERS = {
  "motion.opened"(state, data) {
    state.motions = upsert(state.motions ?? [], data.motion);
  },
  "motion.turnout"(state, data) {
    const motion = (state.motions ?? []).find((m) => m.id === data.motion);
    if (motion) motion.turnout = data.turnout;
  },
  "motion.closed"(state, data) {
    state.motions = upsert(state.motions ?? [], data.motion);
  },
};

export function isMotionEvent(kind) {
  return kind.startsWith("motion.");
}

function upsert(motions, motion) {
  const rest = motions.filter((m) => m.id !== motion.id);
  rest.push(motion);
  return rest.sort((a, b) => a.id - b.id);
}

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
  }
  return el;
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function api(method, path, body) {
  const response = await fetch(`${API}${path}`, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = data.detail || Object.values(data).flat().join(" ") || response.statusText;
    throw new Error(detail);
  }
  return data;
}

function share(text) {
  const [n, d] = text.split("/").map(Number);
  return `${text} (${((100 * n) / d).toLocaleString(document.documentElement.lang || "de", { maximumFractionDigits: 1 })} %)`;
}

// The commitment published at opening (docs/voting.md#commitment-at-opening): the record of
// the close repeats it, and tally.py checks the two agree.
function fingerprintLine(motion) {
  if (!motion.fingerprint) return "";
  return h("p", { class: "vote-fingerprint" },
    h("span", { text: `${gettext("Fingerabdruck der Eröffnung")} (SHA-256): ` }),
    h("code", { class: "vote-digest", "data-fingerprint": "", text: motion.fingerprint }));
}

function ruleLines(rule, eligible) {
  const lines = [[gettext("Verfahren"), gettext(METHODS[rule.method])]];
  lines.push([
    gettext("Quorum"),
    fill(gettext("mindestens %(share)s der %(n)s Stimmberechtigten"), { share: share(rule.quorum), n: eligible }),
  ]);
  if (rule.threshold) {
    const mode = rule.threshold_mode === "more_than" ? gettext("mehr als") : gettext("mindestens");
    lines.push([gettext("Schwelle"), `${mode} ${share(rule.threshold)} ${gettext("der nicht enthaltenen Stimmen")}`]);
  }
  if (rule.method === "consent") {
    lines.push([gettext("Veto"), rule.veto_blocks ? gettext("blockiert") : gettext("zählt als Gegenstimme")]);
  }
  lines.push([gettext("Stimmabgabe"), rule.secret ? gettext("geheim") : gettext("offen")]);
  lines.push([gettext("Änderungen"), rule.changeable ? gettext("bis zum Schluss möglich") : gettext("endgültig")]);
  if (rule.deadline) {
    const when = new Date(rule.deadline).toLocaleString(document.documentElement.lang || "de");
    lines.push([gettext("Frist"), when]);
  }
  return h("dl", { class: "vote-rule" }, lines.map(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })]));
}

function turnoutLine(motion) {
  const percent = motion.eligible ? Math.round((100 * motion.turnout) / motion.eligible) : 0;
  return h(
    "p",
    { class: "vote-turnout", "data-turnout": motion.id },
    h("strong", {
      text: fill(gettext("%(t)s von %(n)s haben abgestimmt"), { t: motion.turnout, n: motion.eligible }),
    }),
    h("span", { class: "vote-turnout__bar", "aria-hidden": "true" },
      h("span", { class: "vote-turnout__fill", style: `width: ${percent}%` })),
  );
}

function resultBlock(motion) {
  const result = motion.result;
  const labels = Object.fromEntries((CHOICES[motion.method] ?? []).map(([k, l]) => [k, gettext(l)]));
  const entries = Object.entries(result.counts);
  const top = Math.max(1, ...entries.map(([, v]) => v));
  return h(
    "div",
    { class: "vote-panel__result" },
    h("p", { class: `vote-outcome vote-outcome--${result.outcome}` },
      h("strong", { text: gettext(OUTCOMES[result.outcome]) }),
      result.winner ? h("span", { text: fill(gettext("Gewählt: Fassung %(label)s"), { label: result.winner }) }) : null),
    h("table", { class: "vote-table" },
      h("caption", { text: motion.method === "resistance" ? gettext("Gesamtwiderstand je Fassung") : gettext("Stimmen je Möglichkeit") }),
      h("tbody", {}, entries.map(([key, value]) =>
        h("tr", {},
          h("th", { scope: "row", text: labels[key] ?? fill(gettext("Fassung %(label)s"), { label: key }) }),
          h("td", { class: "num", text: String(value) }),
          h("td", { class: "vote-panel__barcell", "aria-hidden": "true" },
            h("span", { class: "vote-panel__bar", style: `width: ${(100 * value) / top}%` })))))),
    h("p", {},
      fill(gettext("%(p)s von %(n)s haben teilgenommen."), { p: result.participants, n: result.eligible }), " ",
      h("a", { href: `/abstimmungen/${motion.id}/`, text: gettext("Ergebnis, Protokoll und Nachprüfung") })),
  );
}

export class VotePanel {
  constructor(element, { send = null } = {}) {
    this.element = element;
    this.send = send; // (type, fields) → Promise of the ack; rejects with the error frame
    this.cards = new Map(); // motion id → card element
    this.you = new Map(); // motion id → {eligible, may_close, ballot}
  }

  /** Draw every motion anew (after a welcome). */
  render(motions) {
    this.element.replaceChildren();
    this.cards.clear();
    const shown = this.visible(motions);
    if (!shown.length) {
      this.element.append(h("p", { class: "muted", text: gettext("Zurzeit läuft keine Abstimmung.") }));
    }
    for (const motion of shown) this.element.append(this.card(motion));
  }

  /** One applied event: touch only what it changed, so a ballot being filled in stays. */
  update(motions, frame) {
    const id = frame.kind === "motion.turnout" ? frame.data.motion : frame.data.motion?.id;
    const motion = motions.find((m) => m.id === id);
    if (!motion) return;
    const card = this.cards.get(id);
    if (frame.kind === "motion.turnout" && card) {
      card.querySelector(`[data-turnout="${id}"]`)?.replaceWith(turnoutLine(motion));
      return;
    }
    this.you.delete(id);
    this.render(motions);
  }

  visible(motions) {
    const open = motions.filter((m) => m.status === "open");
    const closed = motions.filter((m) => m.status === "closed").slice(-3);
    return [...open, ...closed.reverse()];
  }

  card(motion) {
    const body = h("div", { class: "vote-panel__body" });
    const card = h(
      "section",
      { class: "card vote-card vote-panel__motion", "aria-labelledby": `motion-${motion.id}-title` },
      h("h3", { id: `motion-${motion.id}-title` },
        fill(gettext("Abstimmung über „%(title)s“"), { title: motion.goal.title })),
      body,
    );
    this.cards.set(motion.id, card);
    if (motion.status === "closed" && motion.result) {
      body.append(resultBlock(motion));
      return card;
    }
    body.append(turnoutLine(motion), ruleLines(motion.rule, motion.eligible), fingerprintLine(motion));
    const slot = h("div", { class: "vote-panel__actions" });
    body.append(slot);
    this.loadYou(motion).then((you) => slot.replaceChildren(...this.actions(motion, you)));
    return card;
  }

  async loadYou(motion) {
    if (!this.you.has(motion.id)) {
      try {
        const detail = await api("GET", `/motions/${motion.id}/`);
        this.you.set(motion.id, detail.you);
      } catch {
        this.you.set(motion.id, { eligible: false, may_close: false, ballot: null });
      }
    }
    return this.you.get(motion.id);
  }

  actions(motion, you) {
    const parts = [];
    if (you.eligible && (!you.ballot || motion.changeable)) parts.push(this.ballotForm(motion, you.ballot));
    else if (you.ballot) parts.push(h("p", { class: "vote-mine", text: gettext("Sie haben abgestimmt.") }));
    if (you.may_close) parts.push(this.closeForm(motion));
    return parts;
  }

  ballotForm(motion, ballot) {
    const status = h("p", { class: "vote-panel__status", role: "status" });
    const fields = [];
    if (motion.method === "resistance") {
      fields.push(h("fieldset", { class: "vote-fieldset" },
        h("legend", { text: gettext("Ihr Widerstand gegen jede Fassung (0–10)") }),
        motion.alternatives.map((alt) => h("div", { class: "field" },
          h("label", { for: `m${motion.id}-r${alt.label}` }, fill(gettext("Fassung %(label)s"), { label: alt.label }), ": ", alt.text),
          h("input", { type: "number", min: 0, max: 10, step: 1, required: true, name: alt.label,
            id: `m${motion.id}-r${alt.label}`, value: ballot?.resistances?.[alt.label] ?? null })))));
    } else {
      fields.push(h("fieldset", { class: "vote-choices" },
        h("legend", { text: gettext("Ihre Wahl") }),
        CHOICES[motion.method].map(([value, label, hint]) => h("label", { class: "vote-choice" },
          h("input", { type: "radio", name: "choice", value, required: true, checked: ballot?.choice === value }),
          h("span", { class: "vote-choice__label", text: gettext(label) }),
          hint ? h("span", { class: "vote-choice__hint", text: gettext(hint) }) : null))));
    }
    fields.push(h("div", { class: "field" },
      h("label", { for: `m${motion.id}-reason`, text: gettext("Begründung") }),
      h("textarea", { id: `m${motion.id}-reason`, name: "reason", rows: 2 }, ballot?.reason ?? "")));
    fields.push(h("label", { class: "vote-check" },
      h("input", { type: "checkbox", name: "confirm", required: true }),
      h("span", { text: gettext("Ich habe meine Auswahl geprüft und gebe diese Stimme ab.") })));
    const form = h("form", { class: "vote-form", "data-ballot-form": true }, fields,
      h("button", { class: "button button--primary", type: "submit", text: ballot ? gettext("Stimme ändern") : gettext("Stimme abgeben") }),
      status);
    // A veto needs a reason: the browser asks for it before anything is sent.
    const syncReason = () => {
      const reason = form.querySelector("[name=reason]");
      reason.required = form.querySelector("[name=choice]:checked")?.value === "veto";
    };
    form.addEventListener("change", syncReason);
    syncReason();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const body = { reason: data.get("reason") ?? "" };
      if (motion.method === "resistance") {
        body.resistances = Object.fromEntries(motion.alternatives.map((a) => [a.label, Number(data.get(a.label))]));
      } else {
        body.choice = data.get("choice");
      }
      try {
        const saved = this.send
          ? await this.send("ballot.cast", { motion: motion.id, ...body }).then(() => ({
              motion: motion.id,
              choice: body.choice ?? null,
              resistances: body.resistances ?? null,
              reason: body.reason,
            }))
          : await api("PUT", `/motions/${motion.id}/ballot/`, body);
        this.you.set(motion.id, { ...this.you.get(motion.id), ballot: saved });
        status.textContent = ballot ? gettext("Ihre Stimme ist geändert.") : gettext("Ihre Stimme ist abgegeben.");
        form.querySelector("[name=confirm]").checked = false;
      } catch (error) {
        status.textContent = error.message;
      }
    });
    return form;
  }

  closeForm(motion) {
    const status = h("p", { class: "vote-panel__status", role: "status" });
    const form = h("form", { class: "vote-form" },
      h("div", { class: "field" },
        h("label", { for: `m${motion.id}-after`, text: gettext("Falls nicht angenommen, geht das Ziel") }),
        h("select", { id: `m${motion.id}-after`, name: "rejected_goal_status" },
          h("option", { value: "revised", text: gettext("zurück zur Überarbeitung") }),
          h("option", { value: "rejected", text: gettext("in den Status „Abgelehnt“") }))),
      h("label", { class: "vote-check" },
        h("input", { type: "checkbox", name: "confirm", required: true }),
        h("span", { text: gettext("Abstimmung jetzt schließen und das Ergebnis veröffentlichen") })),
      h("button", { class: "button", type: "submit", text: gettext("Schließen und auszählen") }),
      status);
    form.querySelector("select").value = motion.rejected_goal_status ?? "revised";
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const rejected = new FormData(form).get("rejected_goal_status");
      try {
        if (this.send) {
          await this.send("motion.close", { motion: motion.id, rejected_goal_status: rejected });
        } else {
          await api("POST", `/motions/${motion.id}/close/`, { rejected_goal_status: rejected });
        }
      } catch (error) {
        status.textContent = error.message;
      }
    });
    return form;
  }
}
