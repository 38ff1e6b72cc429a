// Translations from Django's JavaScript catalog (/jsi18n/, loaded before the modules).
// German is the source language: without the catalog the page still reads, in German.

const catalog = globalThis;

/** The translation of a German source string. */
export function gettext(text) {
  return typeof catalog.gettext === "function" ? catalog.gettext(text) : text;
}

/** Singular or plural by `count`, translated. */
export function ngettext(singular, plural, count) {
  if (typeof catalog.ngettext === "function") return catalog.ngettext(singular, plural, count);
  return count === 1 ? singular : plural;
}

/** Fill `%(name)s` placeholders from `values` (as Django's `interpolate(fmt, obj, true)`). */
export function format(text, values) {
  return text.replace(/%\((\w+)\)s/g, (match, name) =>
    Object.hasOwn(values, name) ? String(values[name]) : match,
  );
}

/** The page's language for dates and numbers. */
export const language = document.documentElement.lang || "de";
