// The room's quick actions: a compact bar at the top (sticky on phones) with "Hand heben" and
// a way to the comment box, and keyboard shortcuts for the common actions, listed in a help
// dialog. Shortcuts never fire while someone types in a field or holds a modifier key.

import { gettext as _ } from "./i18n.js";

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

/** The shortcuts, in the order the help lists them: key, what it does. */
export const SHORTCUTS = [
  ["c", () => _("Zum Kommentarfeld")],
  ["h", () => _("Hand heben oder senken")],
  ["g", () => _("Nächstes Ziel")],
  ["j", () => _("Nächster Kommentar")],
  ["k", () => _("Vorheriger Kommentar")],
  ["?", () => _("Diese Hilfe")],
];

/** Whether a key press belongs to what the person is typing. */
export function typing(target) {
  if (!(target instanceof Element)) return false;
  if (target.closest("[contenteditable=''], [contenteditable='true']")) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(target.type);
  }
  return false;
}

export class RoomKeys {
  constructor(root, view) {
    this.root = root;
    this.view = view;
    this.dialog = null;
    this.returnTo = null;
  }

  attach() {
    this.buildBar();
    document.addEventListener("keydown", (event) => this.onKey(event));
  }

  // --- the bar ----------------------------------------------------------------------------

  buildBar() {
    // Before the room's grid (not inside its main column): a sticky bar stays only as long as
    // its container, and on a phone the speakers' box follows the main column.
    const grid = this.root.querySelector(".room__grid");
    if (!grid) return;
    const toggle = document.getElementById("hand-toggle");
    const composer = document.getElementById("composer-body");
    const parts = [];
    if (toggle) {
      // A second button for the same toggle: it shows what the first says and clicks it.
      const quick = el("button", {
        type: "button",
        id: "hand-quick",
        class: "button button--primary room-quickbar__hand",
        onclick: () => toggle.click(),
      });
      const mine = document.getElementById("hand-mine");
      const place = el("span", { class: "room-quickbar__place" });
      const mirror = () => {
        quick.textContent = toggle.textContent;
        quick.disabled = toggle.disabled;
        quick.hidden = toggle.hidden;
        quick.dataset.hand = toggle.dataset.hand ?? "none";
        place.textContent = mine?.textContent ?? "";
      };
      mirror();
      const watch = new MutationObserver(mirror);
      watch.observe(toggle, { attributes: true, childList: true, characterData: true, subtree: true });
      if (mine) watch.observe(mine, { childList: true, characterData: true, subtree: true });
      parts.push(quick, place);
    }
    if (composer) {
      parts.push(
        el("button", {
          type: "button",
          class: "button button--quiet room-quickbar__comment",
          text: _("Kommentieren"),
          onclick: () => this.focusComposer(),
        }),
      );
    }
    parts.push(
      el("button", {
        type: "button",
        class: "button button--quiet room-quickbar__help",
        "aria-haspopup": "dialog",
        "aria-keyshortcuts": "?",
        text: _("Tastenkürzel"),
        onclick: (event) => this.openHelp(event.currentTarget),
      }),
    );
    const bar = el(
      "div",
      { class: "room-quickbar", role: "group", "aria-label": _("Schnellzugriff") },
      parts,
    );
    grid.before(bar);
  }

  // --- the keys ---------------------------------------------------------------------------

  onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    if (this.dialog?.open) return; // the dialog handles its own keys (Escape closes it)
    const action = {
      c: () => this.focusComposer(),
      h: () => this.toggleHand(),
      g: () => this.nextGoal(),
      j: () => this.moveComment(1),
      k: () => this.moveComment(-1),
      "?": () => this.openHelp(document.activeElement),
    }[event.key];
    if (!action) return;
    if (action() !== false) event.preventDefault();
  }

  focusComposer() {
    const box = document.getElementById("composer-body");
    if (!box || box.closest("[hidden]")) return false;
    box.scrollIntoView({ block: "center" });
    box.focus({ preventScroll: true });
    return true;
  }

  toggleHand() {
    const toggle = document.getElementById("hand-toggle");
    if (!toggle || toggle.disabled || toggle.hidden) return false;
    toggle.click();
    return true;
  }

  nextGoal() {
    const buttons = [...document.querySelectorAll("#goal-switch .goal-switch__button")];
    if (buttons.length < 2) return false;
    const current = buttons.findIndex((b) => b.getAttribute("aria-pressed") === "true");
    const next = buttons[(current + 1) % buttons.length];
    next.click();
    next.focus();
    return true;
  }

  moveComment(step) {
    const cards = [...document.querySelectorAll("#comment-list > li.comment")];
    if (!cards.length) return false;
    const at = cards.findIndex((card) => card === document.activeElement || card.contains(document.activeElement));
    let index = at === -1 ? (step > 0 ? 0 : cards.length - 1) : at + step;
    index = Math.max(0, Math.min(cards.length - 1, index));
    const card = cards[index];
    if (!card.hasAttribute("tabindex")) card.setAttribute("tabindex", "-1");
    card.scrollIntoView({ block: "nearest" });
    card.focus({ preventScroll: true });
    return true;
  }

  // --- the help ---------------------------------------------------------------------------

  buildHelp() {
    const close = el("button", { type: "button", class: "button", text: _("Schließen") });
    const dialog = el(
      "dialog",
      { id: "room-keys-help", class: "room-keys", "aria-labelledby": "room-keys-title" },
      el("h2", { id: "room-keys-title", text: _("Tastenkürzel im Raum") }),
      el("p", { class: "muted", text: _("Gelten nicht, während Sie in ein Feld schreiben.") }),
      el(
        "dl",
        { class: "room-keys__list" },
        SHORTCUTS.flatMap(([key, label]) => [el("dt", {}, el("kbd", { text: key })), el("dd", { text: label() })]),
      ),
      el("div", { class: "room-keys__buttons" }, close),
    );
    close.addEventListener("click", () => dialog.close());
    // A modal dialog keeps the focus inside (the rest of the page is inert); Escape closes it.
    dialog.addEventListener("close", () => {
      const target = this.returnTo;
      this.returnTo = null;
      if (target && target.isConnected) target.focus();
    });
    // Tab and Shift+Tab go round the dialog's controls; they never leave it for the browser.
    dialog.addEventListener("keydown", (event) => {
      if (event.key !== "Tab") return;
      const controls = [...dialog.querySelectorAll("button, a[href], input, select, textarea")];
      const first = controls[0];
      const last = controls[controls.length - 1];
      if (event.shiftKey ? document.activeElement === first : document.activeElement === last) {
        event.preventDefault();
        (event.shiftKey ? last : first).focus();
      }
    });
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close(); // a click on the backdrop
    });
    document.body.append(dialog);
    return dialog;
  }

  openHelp(returnTo) {
    if (!this.dialog) this.dialog = this.buildHelp();
    if (this.dialog.open) return true;
    this.returnTo = returnTo instanceof HTMLElement && returnTo !== document.body ? returnTo : null;
    this.dialog.showModal();
    this.dialog.querySelector("button")?.focus();
    return true;
  }
}
