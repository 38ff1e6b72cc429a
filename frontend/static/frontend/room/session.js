// The live session's extras on the room page, in a panel of their own (docs/protocol.md):
// the speaker's remaining time and the point of order ("The speakers' list"), the
// temperature check ("Blitzlicht": ask, answer 👍 / 🤔 / 👎, live counts), the members' video
// conference and the public livestream, and for the moderator the session's settings
// (`room.configure`). It reads the shared store and sends through the shared connection;
// the room's own view (view.js) stays as it is.

import { format, gettext as _ } from "./i18n.js";

const MEMBER_ROLES = new Set(["moderator", "expert", "drafter"]);
const ANSWERS = [
  ["agree", "👍", "Zustimmung"],
  ["unsure", "🤔", "unsicher"],
  ["disagree", "👎", "Ablehnung"],
];

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function clock(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

export class SessionPanel {
  constructor(root, { store, slug }) {
    this.root = root;
    this.store = store;
    this.slug = slug;
    this.role = root.dataset.role || "viewer";
    this.connection = null;
    this.myAnswer = new Map(); // pulse id → answer (the server never says whose answer is whose)
    this.videoUrl = null;
    this.section = el("section", {
      class: "session-panel",
      id: "session-panel",
      "aria-labelledby": "session-title",
    });
    this.section.append(el("h2", { id: "session-title", class: "session-panel__title", text: _("Sitzung") }));
    this.parts = {
      links: el("p", { class: "session-links", id: "session-links" }),
      speaker: el("p", { class: "session-speaker", id: "session-speaker", "aria-live": "off" }),
      pointOfOrder: el("p", { class: "session-poo" }),
      pulse: el("div", { class: "session-pulse", id: "session-pulse", "aria-live": "polite" }),
      ask: el("div", { class: "session-ask" }),
      settings: el("div", { class: "session-settings" }),
    };
    this.section.append(...Object.values(this.parts));
    // Its own style sheet, beside the room's (style-src 'self' allows it).
    const sheet = el("link", { rel: "stylesheet", href: new URL("../session.css", import.meta.url).href });
    document.head.append(sheet);
    // In the side column, after the speakers' list: on a phone it comes after the goal and
    // its comments, which stay first on the screen.
    const hands = root.querySelector("#hands-title")?.closest("section");
    if (hands) hands.after(this.section);
    else root.append(this.section);
    this.timer = window.setInterval(() => this.tick(), 500);
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
        this.render(null);
      },
      event: (frame) => {
        handlers.event(frame);
        if (frame.kind.startsWith("hand.") || frame.kind.startsWith("pulse.") || frame.kind === "room.updated") {
          this.render(frame);
        }
      },
    };
  }

  send(type, fields, failure) {
    if (!this.connection) return Promise.resolve(null);
    return this.connection.command(type, fields).catch((error) => {
      // The room's alert region (role="alert") says what went wrong, in the user's language.
      const alerts = this.root.querySelector("#room-alerts");
      if (alerts) alerts.replaceChildren(el("p", { class: "alert", text: error?.message || failure }));
      return null;
    });
  }

  render(frame) {
    const state = this.store.state;
    if (!state) return;
    if (frame === null || frame.kind === "room.updated") this.renderLinks(state, frame);
    this.renderPointOfOrder(state);
    this.renderPulse(state);
    // Forms are built once per snapshot, so events never wipe what the moderator types.
    if (frame === null) {
      this.renderAsk();
      this.renderSettings(state);
    }
    this.tick();
  }

  async renderLinks(state, frame) {
    const room = state.room ?? {};
    const wantsVideo = MEMBER_ROLES.has(this.role) && room.has_video;
    if (wantsVideo && (this.videoUrl === null || frame?.data?.changed?.includes("video_url"))) {
      try {
        const response = await fetch(`/raeume/${this.slug}/video/`, { credentials: "same-origin" });
        this.videoUrl = response.ok ? (await response.json()).video_url : null;
      } catch {
        this.videoUrl = null;
      }
    }
    if (!room.has_video) this.videoUrl = null;
    const links = [];
    if (wantsVideo && this.videoUrl) {
      links.push(el("a", { class: "button", href: this.videoUrl, target: "_blank", rel: "noopener noreferrer", text: _("Zur Videokonferenz") }));
    }
    if (room.livestream_url) {
      links.push(el("a", { class: "button button--quiet", href: room.livestream_url, target: "_blank", rel: "noopener noreferrer", text: _("Zum Livestream") }));
    }
    links.push(el("a", { class: "button button--quiet", href: `/raeume/${this.slug}/projektion/`, target: "_blank", text: _("Projektion öffnen") }));
    this.parts.links.replaceChildren(...links);
  }

  renderPointOfOrder(state) {
    const part = this.parts.pointOfOrder;
    if (!MEMBER_ROLES.has(this.role)) {
      part.replaceChildren();
      return;
    }
    const me = this.store.me?.id;
    const mine = state.hands.find((h) => h.user?.id === me) ?? null;
    part.replaceChildren(
      mine
        ? el("span", { class: "muted", text: mine.point_of_order ? _("Ihr Geschäftsordnungsantrag steht oben auf der Redeliste.") : "" })
        : el("button", {
            type: "button",
            class: "button button--quiet",
            id: "session-point-of-order",
            text: _("Geschäftsordnungsantrag"),
            onclick: () => this.send("hand.raise", { point_of_order: true }, _("Die Wortmeldung hat nicht geklappt.")),
          }),
    );
  }

  renderPulse(state) {
    const part = this.parts.pulse;
    const pulse = state.pulse ?? null;
    const children = [];
    if (pulse) {
      const running = !pulse.closed_at && Date.parse(pulse.ends_at) > this.store.serverNow();
      children.push(el("h3", { text: _("Blitzlicht") }), el("p", { class: "session-pulse__question", text: pulse.question }));
      const counts = el("p", { class: "session-pulse__counts", id: "session-pulse-counts" });
      counts.append(
        ...ANSWERS.map(([key, emoji, label]) =>
          el(
            "span",
            { class: "session-pulse__count", dataset: { count: key } },
            el("span", { "aria-hidden": "true", text: `${emoji} ` }),
            el("span", { class: "visually-hidden", text: `${_(label)}: ` }),
            String(pulse.counts[key]),
          ),
        ),
      );
      children.push(counts);
      if (running && MEMBER_ROLES.has(this.role)) {
        const chosen = this.myAnswer.get(pulse.id);
        children.push(
          el(
            "p",
            { class: "session-pulse__answers", role: "group", "aria-label": _("Ihre Antwort") },
            ...ANSWERS.map(([key, emoji, label]) =>
              el(
                "button",
                {
                type: "button",
                class: key === chosen ? "button" : "button button--quiet",
                "aria-pressed": key === chosen ? "true" : "false",
                dataset: { answer: key },
                onclick: async () => {
                  const ack = await this.send("pulse.answer", { pulse: pulse.id, answer: key }, _("Die Antwort hat nicht geklappt."));
                  if (ack) {
                    this.myAnswer.set(pulse.id, key);
                    this.renderPulse(this.store.state);
                  }
                },
                },
                emoji,
                el("span", { class: "visually-hidden", text: ` ${_(label)}` }),
              ),
            ),
          ),
        );
      }
      children.push(el("p", { class: "muted session-pulse__note", text: running ? "" : _("Beendet. Ein Blitzlicht ist keine Entscheidung.") }));
      if (running && this.role === "moderator") {
        children.push(el("button", { type: "button", class: "button button--quiet", text: _("Blitzlicht beenden"), onclick: () => this.send("pulse.close", {}, _("Das Blitzlicht konnte nicht beendet werden.")) }));
      }
      this.pulseRunning = running;
    }
    part.replaceChildren(...children);
  }

  renderAsk() {
    if (this.role === "moderator" && !this.parts.ask.firstChild) {
      const question = el("input", { type: "text", id: "session-pulse-question", maxlength: "300", required: true });
      const duration = el("input", { type: "number", id: "session-pulse-duration", min: "10", max: "300", value: "60" });
      this.parts.ask.append(
        el(
          "form",
          {
            class: "session-pulse__ask",
            onsubmit: (event) => {
              event.preventDefault();
              this.send("pulse.ask", { question: question.value, duration: Number(duration.value) || 60 }, _("Das Blitzlicht konnte nicht gestartet werden.")).then((ack) => {
                if (ack) question.value = "";
              });
            },
          },
          el("label", { for: "session-pulse-question", text: _("Kurze Frage an alle") }),
          question,
          el("label", { for: "session-pulse-duration", text: _("Dauer (Sekunden)") }),
          duration,
          el("button", { type: "submit", class: "button", text: _("Blitzlicht starten") }),
        ),
      );
    }
  }

  renderSettings(state) {
    const part = this.parts.settings;
    if (this.role !== "moderator") {
      part.replaceChildren();
      return;
    }
    const room = state.room ?? {};
    const time = el("input", { type: "number", id: "session-speaking-time", min: "10", max: "3600", value: room.speaking_time ?? "" });
    const order = el("select", { id: "session-speakers-order" });
    for (const [value, label] of [
      ["raised", _("in der Reihenfolge der Meldungen")],
      ["first_time", _("Erstredner:innen zuerst")],
      ["alternating", _("abwechselnd Erst- und Wiederredner:innen")],
    ]) {
      const option = el("option", { value, text: label });
      if (room.speakers_order === value) option.selected = true;
      order.append(option);
    }
    const video = el("input", { type: "url", id: "session-video-url", placeholder: "https://meet.jit.si/…" });
    const stream = el("input", { type: "url", id: "session-livestream-url", value: room.livestream_url ?? "" });
    part.replaceChildren(
      el(
        "details",
        {},
        el("summary", { text: _("Sitzung einrichten") }),
        el(
          "form",
          {
            class: "session-settings__form",
            onsubmit: (event) => {
              event.preventDefault();
              const fields = {
                speaking_time: time.value ? Number(time.value) : null,
                speakers_order: order.value,
                livestream_url: stream.value.trim(),
              };
              if (video.value.trim() || video.dataset.clear === "true") fields.video_url = video.value.trim();
              this.send("room.configure", fields, _("Die Einstellungen konnten nicht gespeichert werden."));
            },
          },
          el("label", { for: "session-speaking-time", text: _("Redezeit (Sekunden, leer: unbegrenzt)") }),
          time,
          el("label", { for: "session-speakers-order", text: _("Reihenfolge der Redeliste") }),
          order,
          el("label", { for: "session-video-url", text: _("Videokonferenz (nur für Mitglieder)") }),
          video,
          el("label", { for: "session-livestream-url", text: _("Livestream (öffentlich)") }),
          stream,
          el("button", { type: "submit", class: "button", text: _("Speichern") }),
        ),
      ),
    );
  }

  /** The speaker's remaining time, against the server's clock. */
  tick() {
    const state = this.store.state;
    if (!state) return;
    const speaker = state.hands.find((h) => h.state === "speaking") ?? null;
    const part = this.parts.speaker;
    if (speaker?.deadline) {
      const left = Date.parse(speaker.deadline) - this.store.serverNow();
      part.textContent = format(_("Redezeit von %(name)s: %(time)s"), { name: speaker.user?.name ?? "", time: clock(left) });
      part.dataset.over = left <= 0 ? "true" : "false";
    } else {
      part.textContent = "";
    }
    const pulse = state.pulse;
    if (pulse && this.pulseRunning && Date.parse(pulse.ends_at) <= this.store.serverNow()) this.renderPulse(state);
  }
}
