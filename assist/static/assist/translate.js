// Machine translation on demand (docs/assist.md). For every element with
// data-translate-kind and data-translate-id, a button "Übersetzen" / "Translate" asks
// GET /api/v1/translations/ and shows the result beside the original, marked as machine
// translation, with a one-click toggle back to the original. The text is set with
// textContent only: a translation can never inject markup.
//
// Use from other modules (e.g. the live room's comment cards): import { attach } and call
// attach(element) for an element that carries the two data attributes; attach is
// idempotent. data-translate-target (optional) overrides the page's language.

const STRINGS = {
  de: {
    translate: "Übersetzen",
    original: "Original",
    translation: "Übersetzung",
    marked: "Maschinell übersetzt",
    busy: "Wird übersetzt …",
    failed: "Übersetzung nicht möglich",
  },
  en: {
    translate: "Translate",
    original: "Original",
    translation: "Translation",
    marked: "Machine translation",
    busy: "Translating …",
    failed: "Translation failed",
  },
};

function strings() {
  const lang = (document.documentElement.lang || "de").slice(0, 2);
  return STRINGS[lang] || STRINGS.en;
}

function targetOf(element) {
  return element.dataset.translateTarget || (document.documentElement.lang || "de").slice(0, 2);
}

export async function fetchTranslation(kind, id, target) {
  const query = new URLSearchParams({ kind, id, target });
  const response = await fetch(`/api/v1/translations/?${query}`, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || String(response.status));
  return body;
}

export function attach(element) {
  if (element.dataset.translateAttached) return;
  element.dataset.translateAttached = "1";
  const t = strings();
  const bar = document.createElement("p");
  bar.className = "assist-translate";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button--small assist-translate__button";
  button.textContent = t.translate;
  const status = document.createElement("span");
  status.className = "assist-translate__status";
  status.setAttribute("role", "status");
  bar.append(button, " ", status);
  element.after(bar);

  let shown = null; // the translation's element once loaded
  button.addEventListener("click", async () => {
    if (shown) {
      const showOriginal = element.hidden === true;
      element.hidden = !showOriginal;
      shown.hidden = showOriginal;
      button.textContent = showOriginal ? t.translation : t.original;
      button.setAttribute("aria-pressed", String(!showOriginal));
      return;
    }
    button.disabled = true;
    status.textContent = t.busy;
    try {
      const result = await fetchTranslation(
        element.dataset.translateKind,
        element.dataset.translateId,
        targetOf(element),
      );
      shown = document.createElement("div");
      shown.className = "assist-translation";
      shown.lang = result.target_lang;
      const mark = document.createElement("p");
      mark.className = "assist-translation__mark";
      const strong = document.createElement("strong");
      strong.textContent = result.marking || t.marked;
      mark.append(strong);
      const text = document.createElement("div");
      text.className = "assist-translation__text";
      text.style.whiteSpace = "pre-line";
      text.textContent = result.text;
      shown.append(mark, text);
      element.after(shown);
      element.hidden = true;
      button.textContent = t.original;
      button.setAttribute("aria-pressed", "true");
      status.textContent = "";
    } catch (error) {
      status.textContent = `${t.failed}: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
}

export function attachAll(root = document) {
  root.querySelectorAll("[data-translate-kind][data-translate-id]").forEach(attach);
}

attachAll();
