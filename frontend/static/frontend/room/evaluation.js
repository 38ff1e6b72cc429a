// The public's feedback in the room's evaluation workspace (issue 13, "Feedback comes home"):
// citizens' ideas and contributions and free-text questionnaire answers on the round's goals,
// each with its source, beside the room's own comments; whoever may evaluate gives each its
// disposition here. Read from GET /api/v1/circles/<slug>/rounds/<n>/public-feedback/ and
// decided with PUT …/answers|contributions/<id>/disposition/ (docs/protocol.md).
//
// The public's dispositions are not room events, so the list is fetched when the round
// enters evaluation (and on "Neu laden"); the section is one node kept across the round
// panel's redraws, so what an evaluator types survives every room event.

import { format, gettext as _ } from "./i18n.js";

const DISPOSITIONS = {
  accepted: () => _("angenommen"),
  partially_accepted: () => _("teilweise angenommen"),
  not_accepted: () => _("nicht angenommen"),
  answered: () => _("beantwortet"),
};

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

/** The CSRF token Django expects on a write with the session (its cookie is readable). */
function csrfToken() {
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
  return document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";
}

/** The API's message for a refused request, in the user's language. */
async function problem(response, fallback) {
  try {
    const body = await response.json();
    if (typeof body?.detail === "string") return body.detail;
    // A validation error: {"<field>": ["message", …]}
    const first = body && typeof body === "object" ? Object.values(body).flat()[0] : null;
    return typeof first === "string" ? first : fallback;
  } catch {
    return fallback;
  }
}

export class PublicFeedbackPanel {
  /** `slug`: the room; `announce(text)`: the room's polite live region. */
  constructor(slug, announce) {
    this.slug = slug;
    this.announce = announce;
    this.round = null; // the round number the list belongs to
    this.items = null; // null: not loaded yet
    this.error = null;
    this.node = el("section", {
      class: "round-evaluation round-evaluation--public",
      id: "public-feedback",
      "aria-labelledby": "public-feedback-title",
    });
  }

  get base() {
    return `/api/v1/circles/${encodeURIComponent(this.slug)}`;
  }

  /** The section for `round` (in evaluation, for someone who may evaluate): the same node on
   * every call; it loads the round's list the first time it is asked for that round. */
  section(round) {
    if (this.round !== round.number) {
      this.round = round.number;
      this.items = null;
      this.load();
    }
    if (!this.node.childElementCount) this.draw();
    return this.node;
  }

  async load() {
    const number = this.round;
    this.error = null;
    try {
      const response = await fetch(`${this.base}/rounds/${number}/public-feedback/?limit=500`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(await problem(response, _("Die Rückmeldungen der Öffentlichkeit konnten nicht geladen werden.")));
      const page = await response.json();
      if (number !== this.round) return;
      this.items = page.results ?? [];
      this.total = page.count ?? this.items.length;
    } catch (error) {
      if (number !== this.round) return;
      this.items = [];
      this.error = error.message || _("Die Rückmeldungen der Öffentlichkeit konnten nicht geladen werden.");
    }
    this.draw();
  }

  draw() {
    const heading = el("h4", { id: "public-feedback-title", text: _("Rückmeldungen der Öffentlichkeit") });
    const reload = el("button", {
      type: "button",
      class: "link-button",
      text: _("Neu laden"),
      onclick: () => {
        this.items = null;
        this.draw();
        this.load();
      },
    });
    const page = el("a", {
      href: `/beteiligung/raeume/${encodeURIComponent(this.slug)}/rueckmeldungen/`,
      text: _("Eigene Seite"),
    });
    const tools = el("p", { class: "round-links" }, reload, " · ", page);
    let body;
    if (this.items === null) body = el("p", { class: "muted", role: "status", text: _("Wird geladen …") });
    else if (this.error) body = el("p", { class: "alert", text: this.error });
    else if (!this.items.length) body = el("p", { class: "muted", text: _("Zu den Zielen dieser Runde gibt es keine Rückmeldungen der Öffentlichkeit.") });
    else {
      body = [
        this.total > this.items.length
          ? el("p", { class: "muted", text: format(_("Die ersten %(n)s von %(total)s; alle auf der eigenen Seite."), { n: this.items.length, total: this.total }) })
          : null,
        el("ol", { class: "round-evaluation__list" }, this.items.map((item) => this.entry(item))),
      ];
    }
    this.node.replaceChildren(heading, tools, ...[body].flat().filter(Boolean));
  }

  entry(item) {
    const source = item.source ?? {};
    const key = `pub-${item.type}-${item.id}`;
    const current = item.disposition;
    const meta = [
      el("strong", { text: source.label ?? "" }),
      source.title ? ` · ${source.title}` : "",
      item.author?.name ? ` · ${item.author.name}` : "",
      item.goal_title ? ` · ${format(_("Ziel: %(goal)s"), { goal: item.goal_title })}` : "",
      " ",
      current ? el("span", { class: "chip", text: format(_("Entscheidung: %(value)s"), { value: DISPOSITIONS[current.value]?.() ?? current.value }) }) : el("span", { class: "chip chip--open", text: _("noch offen") }),
    ];
    const status = el("p", { class: "round-disposition__status", role: "status", "aria-live": "polite" });
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
          Object.entries(DISPOSITIONS).map(([value, label]) => el("option", { value, text: label(), selected: current?.value === value })),
        ),
      ),
      el(
        "div",
        { class: "field" },
        el("label", { for: `${key}-response`, text: _("Antwort") }),
        el("textarea", { id: `${key}-response`, name: "response", rows: 2, required: true }, current?.response ?? ""),
      ),
      el("button", { type: "submit", class: "button", text: _("Speichern") }),
      status,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.decide(item, form, status);
    });
    return el(
      "li",
      { class: "round-evaluation__item", "data-feedback": `${item.type}-${item.id}` },
      el("p", {}, meta),
      source.question ? el("p", { class: "muted", text: format(_("Frage: %(q)s"), { q: source.question }) }) : null,
      el("blockquote", { class: "round-evaluation__text", text: item.type === "answer" && source.question ? item.text.replace(`${source.question}\n\n`, "") : item.text }),
      source.url ? el("p", {}, el("a", { href: source.url, text: _("Beitrag ansehen") })) : null,
      form,
    );
  }

  async decide(item, form, status) {
    const data = new FormData(form);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    status.textContent = "";
    const kind = item.type === "answer" ? "answers" : "contributions";
    try {
      const response = await fetch(`${this.base}/${kind}/${item.id}/disposition/`, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ value: String(data.get("value") ?? ""), response: String(data.get("response") ?? "") }),
      });
      if (!response.ok) {
        status.textContent = await problem(response, _("Die Entscheidung wurde nicht gespeichert."));
        status.className = "round-disposition__status alert";
        return;
      }
      item.disposition = await response.json();
      // Only this entry is drawn again: what is typed in the others stays.
      form.closest("li")?.replaceWith(this.entry(item));
      this.announce(_("Entscheidung gespeichert."));
      document.getElementById(`pub-${item.type}-${item.id}-value`)?.focus();
    } catch {
      status.textContent = _("Die Entscheidung wurde nicht gespeichert.");
      status.className = "round-disposition__status alert";
    } finally {
      button.disabled = false;
    }
  }
}
