// "While you were away": what the events replayed on a resume (docs/protocol.md, `?after=`
// and `resumed`) brought, said in one short notice instead of a silent wall of new items.
//
// The connection reports the start and the end of a replay; in between the view hands every
// applied event here and stays quiet (no announcement per event). At the end one summary is
// shown and read out: "Während Sie weg waren: 3 neue Kommentare, Abstimmung eröffnet, Sie
// sind dran".

import { format, gettext as _, ngettext } from "./i18n.js";

export class AwaySummary {
  /**
   * @param {object} options
   * @param {() => number|null} options.me      the signed-in person's id
   * @param {(phase: string) => string} options.phaseLabel
   */
  constructor({ me, phaseLabel }) {
    this.me = me;
    this.phaseLabel = phaseLabel;
    this.active = false;
    this.interrupted = false; // a replay cut short: its news carries over to the next one
    this.reset();
  }

  reset() {
    this.comments = 0;
    this.opened = [];
    this.closed = 0;
    this.called = false;
    this.phase = null;
  }

  start() {
    if (!this.interrupted) this.reset();
    this.interrupted = false;
    this.active = true;
  }

  /** The replay broke off (a new socket, a resync): keep what it brought for the next one. */
  pause() {
    this.active = false;
    this.interrupted = true;
  }

  /** One event applied during the replay. */
  note(frame) {
    if (!this.active) return;
    const data = frame.data ?? {};
    switch (frame.kind) {
      case "comment.created":
        if (data.comment?.author?.id !== this.me()) this.comments += 1;
        break;
      case "motion.opened":
        if (data.motion) this.opened.push(data.motion);
        break;
      case "motion.closed":
        this.closed += 1;
        break;
      case "hand.next":
        if (this.me() !== null && data.hand?.user?.id === this.me()) this.called = true;
        break;
      case "round.phase_changed":
        if (data.round?.phase) this.phase = data.round.phase;
        break;
      default:
        break;
    }
  }

  /**
   * The replay is over: the summary's text (null when nothing worth saying happened) and the
   * first vote opened meanwhile (to jump to). `hands` is the queue as it is now: the floor
   * counts only if it is still yours.
   */
  finish(hands = []) {
    if (!this.active) return null;
    this.active = false;
    const me = this.me();
    const stillYours = this.called && hands.some((h) => h.state === "speaking" && h.user?.id === me);
    const parts = [];
    if (this.comments) {
      parts.push(format(ngettext("%(n)s neuer Kommentar", "%(n)s neue Kommentare", this.comments), { n: this.comments }));
    }
    if (this.opened.length) {
      parts.push(
        this.opened.length === 1
          ? _("Abstimmung eröffnet")
          : format(_("%(n)s Abstimmungen eröffnet"), { n: this.opened.length }),
      );
    }
    if (this.closed) {
      parts.push(
        this.closed === 1 ? _("Abstimmung geschlossen") : format(_("%(n)s Abstimmungen geschlossen"), { n: this.closed }),
      );
    }
    if (this.phase) parts.push(format(_("Runde jetzt in der Phase „%(phase)s“"), { phase: this.phaseLabel(this.phase) }));
    if (stillYours) parts.push(_("Sie sind dran"));
    if (!parts.length) return null;
    return {
      text: format(_("Während Sie weg waren: %(news)s"), { news: parts.join(", ") }),
      motion: this.opened[0] ?? null,
      yourTurn: stillYours,
    };
  }
}
