// The consensus vote in the room (docs/voting.md): the vote panel of voting/ (rule, choices,
// reason, confirmation, turnout, result with chart) casting and closing over the room socket,
// and the moderator's form to open a vote on goals in discussion.

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
  }

  attach(connection) {
    this.panel = new VotePanel(this.list, {
      send: (type, fields) => connection.command(type, fields),
    });
  }

  render() {
    this.panel?.render(this.view.store.state.motions);
    this.renderOpenForm();
  }

  update(frame) {
    this.panel?.update(this.view.store.state.motions, frame);
  }

  /** The moderator's form: which goals, which method, secret or open. */
  renderOpenForm() {
    if (!this.opener) return;
    if (this.view.role !== "moderator") {
      this.opener.replaceChildren();
      return;
    }
    const goals = this.view.store.state.goals;
    const form = el(
      "form",
      { class: "vote-form", "aria-labelledby": "vote-open-title" },
      el("h3", { id: "vote-open-title", text: _("Abstimmung eröffnen") }),
      el(
        "fieldset",
        {},
        el("legend", { text: _("Über diese Ziele (je eine Abstimmung)") }),
        goals.map((goal) =>
          el(
            "label",
            { class: "vote-check" },
            el("input", { type: "checkbox", name: "goal", value: goal.id }),
            el("span", { text: goal.title }),
          ),
        ),
      ),
      el(
        "div",
        { class: "field" },
        el("label", { for: "vote-open-method", text: _("Verfahren") }),
        el(
          "select",
          { id: "vote-open-method", name: "method" },
          el("option", { value: "consent", text: _("Konsent") }),
          el("option", { value: "majority", text: _("Mehrheit") }),
        ),
      ),
      el(
        "label",
        { class: "vote-check" },
        el("input", { type: "checkbox", name: "secret" }),
        el("span", { text: _("Geheime Abstimmung") }),
      ),
      el("button", { type: "submit", class: "button", "data-command": "motion.open", text: _("Abstimmung eröffnen") }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const ids = data.getAll("goal").map(Number);
      if (!ids.length) {
        this.view.showError(_("Bitte mindestens ein Ziel auswählen."));
        return;
      }
      this.view.run(
        "motion.open",
        { goals: ids, method: String(data.get("method")), secret: data.get("secret") === "on" },
        _("Die Abstimmung konnte nicht eröffnet werden."),
      );
    });
    this.opener.replaceChildren(goals.length ? form : el("p", { class: "muted", text: _("Kein Ziel steht zur Diskussion.") }));
  }
}
