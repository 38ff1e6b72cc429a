// Drafting aids in the room: the goal text's line numbers (computed on the server,
// deliberation.lines), the plain-language twin beside it (deliberation.plain), where an
// anchored comment stands in a later version (deliberation.anchors) and "Zeile 12" in a
// comment as a link to that line of the version it was written on.

import { format, gettext as _ } from "./i18n.js";

function node(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** One paragraph's lines `[[number, text, html], ...]` (`html`: the line's inline Markdown,
 * sanitised on the server). The numbers are generated content (`.line::before`, with empty
 * alternative text): not part of the text a selection, a quote or a screen reader sees, so
 * the paragraph's text reads as it runs. */
export function numberedLines(lines) {
  const paragraph = node("p", "lines");
  lines.forEach(([number, text, html], index) => {
    const line = node("span", "line");
    const template = document.createElement("template");
    template.innerHTML = html ?? "";
    line.append(html === undefined ? text : template.content);
    if (index < lines.length - 1) line.append(" ");
    line.id = `zeile-${number}`;
    line.dataset.line = String(number);
    paragraph.append(line);
  });
  return paragraph;
}

/** Show the goal version's twin (or hide the panel): `plain` as in the protocol. */
export function renderPlain(section, plain) {
  section.hidden = !plain;
  if (!plain) return;
  const outdated = section.querySelector("#goal-plain-outdated");
  outdated.hidden = !plain.outdated;
  outdated.replaceChildren();
  if (plain.outdated) {
    outdated.append(
      node(
        "strong",
        null,
        format(_("veraltet – bezieht sich auf Fassung %(n)s"), { n: plain.version.number }),
      ),
    );
  }
  const text = section.querySelector("#goal-plain-text");
  const template = document.createElement("template");
  template.innerHTML = plain.html; // sanitised on the server (nh3)
  text.replaceChildren(template.content);
}

const STATES = {
  carried: () => _("übernommen"),
  moved: () => _("verschoben"),
  orphaned: () => _("verwaist"),
};

/** The badge of a comment written on an earlier version: carried, moved or orphaned into
 * the version shown, with a link to where it stood in its own version. */
export function placementBadge(comment, shownVersion) {
  const placed = comment.placement;
  if (!placed || !comment.anchor || !shownVersion || placed.version.number !== shownVersion)
    return null;
  const box = node("p", `comment__placement comment__placement--${placed.state}`);
  box.append(node("span", "comment__placement-state", STATES[placed.state]()));
  const old = node(
    "a",
    "comment__placement-old",
    format(_("Stelle in Fassung %(n)s"), { n: comment.version_number }),
  );
  old.href = `/ziele/${comment.goal}/fassungen/${comment.version_number}/#absatz-${comment.anchor.paragraph}`;
  box.append(" ", old);
  if (placed.state !== "orphaned" && placed.paragraph) {
    const now = node("a", "comment__placement-now", format(_("jetzt Absatz %(n)s"), { n: placed.paragraph }));
    now.href = `#absatz-${placed.paragraph}`;
    box.append(" · ", now);
  }
  return box;
}

// As deliberation.lines.CITATION: "Zeile 12", "Zeilen 3", "Z. 12", "line 12", "l. 12".
const CITATION = /\b(Zeilen?|Z\.|lines?|l\.)\s?(\d{1,4})\b/gi;

/** Turn "Zeile 12" in a rendered comment body into links to line 12 of the comment's own
 * version: on this page when it is the version shown, else on the version's page. */
export function linkLineCitations(body, comment, shownVersion) {
  const base =
    comment.version_number === shownVersion
      ? ""
      : `/ziele/${comment.goal}/fassungen/${comment.version_number}/`;
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) {
    if (!walker.currentNode.parentElement.closest("a, code")) texts.push(walker.currentNode);
  }
  for (const text of texts) {
    const value = text.nodeValue;
    CITATION.lastIndex = 0;
    if (!CITATION.test(value)) continue;
    CITATION.lastIndex = 0;
    const fragment = document.createDocumentFragment();
    let at = 0;
    for (const match of value.matchAll(CITATION)) {
      fragment.append(value.slice(at, match.index));
      const link = node("a", "comment__line-link", match[0]);
      link.href = `${base}#zeile-${match[2]}`;
      fragment.append(link);
      at = match.index + match[0].length;
    }
    fragment.append(value.slice(at));
    text.replaceWith(fragment);
  }
  return body;
}
