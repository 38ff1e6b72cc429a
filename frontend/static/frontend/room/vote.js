// The consensus vote in the room (docs/voting.md): the vote panel of voting/ (rule, choices,
// reason, confirmation, turnout, result with chart) casting and closing over the room socket,
// and the moderator's form to open a vote on goals in discussion, with the whole rule of the
// full vote form (voting/forms.py MotionOpenForm).

import { VotePanel } from "../../voting/vote-panel.js";
import { gettext as _ } from "./i18n.js";

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

export class RoomVotes {
  constructor(element, view) {
    this.element = element;
    this.view = view;
    this.list = element.querySelector("#room-votes-list");
    this.opener = element.querySelector("#room-votes-open");
    this.panel = null;
    this.form = null;
  }

  attach(connection) {
    this.panel = new VotePanel(this.list, {
      send: (type, fields) => connection.command(type, fields),
    });
  }

  render() {
    this.panel?.render(this.view.store.state.motions);
    this.linkMotionPages();
    this.renderOpenForm();
  }

  update(frame) {
    this.panel?.update(this.view.store.state.motions, frame);
    this.linkMotionPages();
  }

  /** Each vote's card links to the vote's own page (rule, record, check of the count). */
  linkMotionPages() {
    for (const [id, card] of this.panel?.cards ?? []) {
      if (card.querySelector(".vote-panel__page")) continue;
      card.append(
        el(
          "p",
          { class: "vote-panel__page" },
          el("a", { href: `/abstimmungen/${id}/`, text: _("Seite der Abstimmung") }),
        ),
      );
    }
  }

  /** The moderator's form: which goals and the whole rule, as on the full vote form. */
  renderOpenForm() {
    if (!this.opener) return;
    const links = this.links();
    if (this.view.role !== "moderator") {
      this.opener.replaceChildren(links);
      this.form = null;
      return;
    }
    const goals = this.view.store.state.goals;
    if (!goals.length) {
      this.form = null;
      this.opener.replaceChildren(el("p", { class: "muted", text: _("Kein Ziel steht zur Diskussion.") }), links);
      return;
    }
    // Built once and kept: a moderator halfway through the rule keeps what they typed when
    // the room changes; only the list of goals follows the room.
    if (!this.form) this.form = this.buildForm();
    const checked = new Set(new FormData(this.form).getAll("goal").map(String));
    this.form.querySelector("[data-goal-options]").replaceChildren(
      ...goals.map((goal) =>
        el(
          "label",
          { class: "vote-check" },
          el("input", { type: "checkbox", name: "goal", value: goal.id, checked: checked.has(String(goal.id)) }),
          el("span", { text: goal.title }),
        ),
      ),
    );
    if (this.opener.firstElementChild !== this.form) this.opener.replaceChildren(this.form, links);
  }

  /** Where the vote lives outside the room: the circle's votes, the full form (moderators). */
  links() {
    const base = `/raeume/${encodeURIComponent(this.view.slug)}/abstimmungen/`;
    return el(
      "p",
      { class: "room-votes__links" },
      el("a", { href: base, text: _("Alle Abstimmungen dieses Raums") }),
      this.view.role === "moderator" ? " · " : null,
      this.view.role === "moderator" ? el("a", { href: `${base}neu/`, text: _("Ausführliches Abstimmungsformular") }) : null,
    );
  }

  buildForm() {
    const id = (name) => `vote-open-${name}`;
    const field = (name, label, control, help = null) =>
      el(
        "div",
        { class: "field" },
        el("label", { for: id(name), text: label }),
        control,
        help ? el("p", { class: "help", id: `${id(name)}-help`, text: help }) : null,
      );
    const check = (name, label, checked = false) =>
      el(
        "label",
        { class: "vote-check" },
        el("input", { type: "checkbox", name, id: id(name), checked }),
        el("span", { text: label }),
      );
    const select = (name, options, value = "") =>
      el(
        "select",
        { id: id(name), name },
        options.map(([optionValue, label]) =>
          el("option", { value: optionValue, text: label, selected: optionValue === value }),
        ),
      );
    const text = (name, props = {}) =>
      el("input", { type: "text", id: id(name), name, "aria-describedby": `${id(name)}-help`, ...props });

    const alternatives = field(
      "alternatives",
      _("Alternative Fassungen (nur Widerstandsabfrage)"),
      el("textarea", { id: id("alternatives"), name: "alternatives", rows: 6, "aria-describedby": `${id("alternatives")}-help` }),
      _("2 bis 8 Fassungen, getrennt durch eine Zeile mit drei Bindestrichen (---). Nur für ein einzelnes Ziel."),
    );
    alternatives.hidden = true;
    const method = select("method", [
      ["consent", _("Konsent")],
      ["majority", _("Mehrheit")],
      ["resistance", _("Widerstandsabfrage")],
    ]);
    const veto = check("veto_blocks", _("Ein Veto blockiert (Konsent)"), true);
    const showFor = () => {
      alternatives.hidden = method.value !== "resistance";
      veto.hidden = method.value !== "consent";
    };
    method.addEventListener("change", showFor);

    const form = el(
      "form",
      { class: "vote-form", "aria-labelledby": "vote-open-title", novalidate: true },
      el("h3", { id: "vote-open-title", text: _("Abstimmung eröffnen") }),
      el(
        "fieldset",
        {},
        el("legend", { text: _("Über diese Ziele (je eine Abstimmung)") }),
        el("div", { "data-goal-options": "" }),
      ),
      field("method", _("Verfahren"), method),
      alternatives,
      el(
        "details",
        { class: "vote-form__rule" },
        el("summary", { text: _("Regel: Quorum, Schwelle, Frist …") }),
        field("quorum", _("Quorum"), text("quorum", { value: "1/2" }), _("Anteil der Stimmberechtigten, der teilnehmen muss, z. B. 1/2.")),
        field(
          "quorum_basis",
          _("Quorum bezogen auf"),
          select("quorum_basis", [
            ["eligible", _("alle Stimmberechtigten")],
            ["present", _("die anwesenden Stimmberechtigten")],
          ]),
        ),
        check(
          "roll_call",
          _("Mit der letzten abgeschlossenen Anwesenheitsfeststellung: Vertretungen stimmen für abwesende Mitglieder"),
        ),
        field(
          "threshold",
          _("Schwelle"),
          text("threshold"),
          _("Anteil der Zustimmung unter den nicht enthaltenen Stimmen. Leer: Konsent mindestens 2/3, Mehrheit mehr als 1/2."),
        ),
        field(
          "threshold_mode",
          _("Schwellenart"),
          select("threshold_mode", [
            ["", _("Standard des Verfahrens")],
            ["at_least", _("mindestens (≥)")],
            ["more_than", _("mehr als (>)")],
          ]),
        ),
        veto,
        check("changeable", _("Stimmen bis zum Schluss änderbar"), true),
        field(
          "deadline",
          _("Frist"),
          el("input", { type: "datetime-local", id: id("deadline"), name: "deadline", "aria-describedby": `${id("deadline")}-help` }),
          _("Optional. Zur Frist schließt der Server die Abstimmung von selbst."),
        ),
        field(
          "rejected_goal_status",
          _("Falls nicht angenommen"),
          select("rejected_goal_status", [
            ["revised", _("Überarbeitet")],
            ["rejected", _("Abgelehnt")],
          ], "revised"),
          _("Gilt beim Ablauf der Frist; beim Schließen können Sie neu wählen."),
        ),
      ),
      check("secret", _("Geheime Abstimmung")),
      el("button", { type: "submit", class: "button", "data-command": "motion.open", text: _("Abstimmung eröffnen") }),
    );
    showFor();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const fields = openFields(new FormData(form));
      if (!fields.goals.length) {
        this.view.showError(_("Bitte mindestens ein Ziel auswählen."));
        return;
      }
      this.view
        .run("motion.open", fields, _("Die Abstimmung konnte nicht eröffnet werden."))
        ?.then?.((ack) => {
          if (ack) {
            this.form = null; // the next vote starts from the defaults again
            this.renderOpenForm();
          }
        });
    });
    return form;
  }
}

/** The `motion.open` fields of the form (docs/protocol.md): empty texts are "the default". */
export function openFields(data) {
  const textOf = (name) => String(data.get(name) ?? "").trim();
  const fields = {
    goals: data.getAll("goal").map(Number),
    method: textOf("method"),
    quorum: textOf("quorum") || null,
    quorum_basis: textOf("quorum_basis") || null,
    roll_call: data.get("roll_call") === "on",
    threshold: textOf("threshold") || null,
    threshold_mode: textOf("threshold_mode") || null,
    veto_blocks: data.get("veto_blocks") === "on",
    secret: data.get("secret") === "on",
    changeable: data.get("changeable") === "on",
    rejected_goal_status: textOf("rejected_goal_status") || null,
    deadline: null,
  };
  const deadline = textOf("deadline");
  if (deadline) {
    // datetime-local is the browser's local time; the server wants an instant.
    const when = new Date(deadline);
    fields.deadline = Number.isNaN(when.getTime()) ? deadline : when.toISOString();
  }
  if (fields.method === "resistance") {
    fields.alternatives = textOf("alternatives")
      .split(/^[ \t]*-{3,}[ \t]*$/m)
      .map((part) => part.trim())
      .filter(Boolean);
  }
  return fields;
}
