// The room's state as the client holds it: a snapshot plus every event applied once, in order.
//
// `seq` is the number of the last event applied. An event is applied only when it is the next
// one (seq + 1): a repeated event is dropped and a gap is reported to the caller, which
// resumes (docs/protocol.md, "The client algorithm"). The reducers below are the table
// "Event kinds" of the protocol; a kind the client does not know still advances `seq`.

import { MOTION_REDUCERS } from "../../voting/vote-panel.js";
import { PROPOSAL_REDUCERS } from "./proposal-state.js";
import { ROUND_REDUCERS } from "./round-state.js";

function byOrderThenId(a, b) {
  return a.order - b.order || a.id - b.id;
}

function upsertGoal(goals, goal) {
  const rest = goals.filter((g) => g.id !== goal.id);
  rest.push(goal);
  return rest.sort(byOrderThenId);
}

/** The statuses in which a round may take a goal up (the snapshot's `field_goals`). */
export const AGENDA_GOAL_STATUSES = new Set(["draft", "revised", "in_discussion"]);

/** Keep `field_goals` (docs/protocol.md): for every goal event, the status alone decides. */
function trackFieldGoal(state, goal) {
  state.fieldGoals = AGENDA_GOAL_STATUSES.has(goal.status)
    ? upsertGoal(state.fieldGoals, goal)
    : state.fieldGoals.filter((g) => g.id !== goal.id);
}

const REDUCERS = {
  "comment.created"(state, data) {
    if (!state.comments.has(data.comment.id)) state.comments.set(data.comment.id, data.comment);
  },
  "comment.edited"(state, data) {
    state.comments.set(data.comment.id, data.comment);
  },
  "comment.hidden"(state, data) {
    state.comments.set(data.comment.id, data.comment);
  },
  "comment.unhidden"(state, data) {
    state.comments.set(data.comment.id, data.comment);
  },
  "hand.raised"(state, data) {
    state.hands = data.queue;
  },
  "hand.lowered"(state, data) {
    state.hands = data.queue;
  },
  "hand.next"(state, data) {
    state.hands = data.queue;
  },
  "focus.changed"(state, data) {
    state.focus = data.goal;
  },
  "presence.changed"(state, data) {
    state.presence = data;
  },
  "goal.created"(state, data) {
    if (data.goal.status === "in_discussion") state.goals = upsertGoal(state.goals, data.goal);
    trackFieldGoal(state, data.goal);
  },
  "goal.status_changed"(state, data) {
    trackFieldGoal(state, data.goal);
    if (data.goal.status === "in_discussion") {
      state.goals = upsertGoal(state.goals, data.goal);
    } else {
      state.goals = state.goals.filter((g) => g.id !== data.goal.id);
    }
  },
  "goal.version_published"(state, data) {
    trackFieldGoal(state, data.goal);
    if (state.goals.some((g) => g.id === data.goal.id)) {
      state.goals = upsertGoal(state.goals, data.goal);
    }
  },
  // A goal renamed or re-ordered (also from the admin): replace it where it is shown.
  "goal.updated"(state, data) {
    trackFieldGoal(state, data.goal);
    if (state.goals.some((g) => g.id === data.goal.id)) {
      state.goals = upsertGoal(state.goals, data.goal);
    }
  },
  // Where anchored comments stand in a new version (deliberation.anchors).
  "anchors.placed"(state, data) {
    for (const placed of data.placements) {
      const comment = placed.comment === null ? null : state.comments.get(placed.comment);
      if (!comment) continue;
      const { comment: _c, proposal: _p, ...placement } = placed;
      state.comments.set(comment.id, { ...comment, placement });
    }
  },
  // The plain-language twin of a goal's current version (deliberation.plain).
  "goal.plain_text_set"(state, data) {
    const withPlain = (g) =>
      g.id === data.goal && g.version ? { ...g, version: { ...g.version, plain: data.plain } } : g;
    state.goals = state.goals.map(withPlain);
    if (state.field_goals) state.field_goals = state.field_goals.map(withPlain);
  },
  "room.updated"(state, data) {
    state.room = data.room;
  },
  // The temperature check (docs/protocol.md): the latest one, counts only.
  "pulse.asked"(state, data) {
    state.pulse = data.pulse;
  },
  "pulse.answered"(state, data) {
    state.pulse = data.pulse;
  },
  "pulse.closed"(state, data) {
    state.pulse = data.pulse;
  },
  // Rounds (docs/rounds.md) and the vote (voting/static/voting/vote-panel.js).
  ...ROUND_REDUCERS,
  ...MOTION_REDUCERS,
  // Change proposals (proposals.js).
  ...PROPOSAL_REDUCERS,
};

/** Which part of the page an event kind changes: the view redraws only that. */
export function areaOf(kind) {
  if (kind.startsWith("comment.") || kind === "anchors.placed") return "comments";
  if (kind.startsWith("hand.")) return "hands";
  if (kind === "focus.changed") return "focus";
  if (kind === "presence.changed") return "presence";
  if (kind.startsWith("goal.")) return "goals";
  if (kind.startsWith("motion.")) return "motions";
  if (kind in ROUND_REDUCERS) return "round";
  return null;
}

export class RoomStore {
  constructor() {
    this.reset();
  }

  /** Forget everything (a `resync`, or a role that changed between connections). */
  reset() {
    this.state = null;
    this.seq = 0;
    this.role = null;
    this.me = null;
    // What this person may do beyond the role (the welcome's `may`: moderate, evaluate,
    // revise): the working group's drafter evaluates in the expert circle's room as a viewer.
    this.may = {};
    this.clockOffset = 0;
  }

  /** Keep a decision on a comment (the snapshot's `comment_dispositions`, by comment id):
   * it stays on the comment card after its round closed, and after a reload. */
  rememberDecision(disposition) {
    if (disposition?.feedback?.type === "comment") this.state.decisions.set(disposition.feedback.id, disposition);
  }

  /** The decision (a Disposition) on comment `commentId`, or null. */
  decision(commentId) {
    return this.state?.decisions?.get(commentId) ?? null;
  }

  get hasState() {
    return this.state !== null;
  }

  /**
   * Take a `welcome` frame. Returns "replaced" (a snapshot), "kept" (no snapshot: the
   * state held as of `seq` goes on) or "stale" (no snapshot, but no usable state either:
   * the caller reconnects without `after`).
   */
  welcome(frame) {
    // The server's clock minus ours, measured at receipt: countdowns run to the server's
    // deadlines without trusting this machine's absolute time.
    const serverTime = Date.parse(frame.server_time ?? "");
    if (!Number.isNaN(serverTime)) this.clockOffset = serverTime - Date.now();
    if (frame.snapshot) {
      const snapshot = frame.snapshot;
      this.state = {
        room: snapshot.room,
        goals: [...snapshot.goals].sort(byOrderThenId),
        comments: new Map(snapshot.comments.map((c) => [c.id, c])),
        hands: snapshot.hands,
        focus: snapshot.focus,
        presence: snapshot.presence ?? { members: [], viewers: 0 },
        round: snapshot.round ?? null,
        motions: snapshot.motions ?? [],
        pulse: snapshot.pulse ?? null,
        fieldGoals: [...(snapshot.field_goals ?? [])].sort(byOrderThenId),
        decisions: new Map(),
        proposals: new Map((snapshot.proposals ?? []).map((p) => [p.id, p])),
      };
      for (const disposition of snapshot.comment_dispositions ?? []) this.rememberDecision(disposition);
      this.seq = frame.seq;
      this.role = frame.role;
      this.me = frame.me;
      this.may = frame.may ?? {};
      return "replaced";
    }
    if (!this.state || frame.role !== this.role || frame.seq !== this.seq) return "stale";
    this.me = frame.me;
    this.may = frame.may ?? {};
    return "kept";
  }

  /** Apply one `event` frame: "applied", "duplicate" (seq already seen) or "gap". */
  apply(event) {
    if (!this.state) return "gap";
    if (event.seq <= this.seq) return "duplicate";
    if (event.seq !== this.seq + 1) return "gap";
    const reducer = REDUCERS[event.kind];
    if (reducer) reducer(this.state, event.data);
    if (event.kind === "disposition.set") this.rememberDecision(event.data.disposition);
    this.seq = event.seq;
    return "applied";
  }

  goal(id) {
    return this.state?.goals.find((g) => g.id === id) ?? null;
  }

  /** The comments on one goal as threads: top-level ones by id, each with its replies. */
  threads(goalId) {
    const top = [];
    const replies = new Map();
    for (const comment of this.state.comments.values()) {
      if (comment.goal !== goalId) continue;
      if (comment.reply_to === null) {
        top.push(comment);
      } else {
        if (!replies.has(comment.reply_to)) replies.set(comment.reply_to, []);
        replies.get(comment.reply_to).push(comment);
      }
    }
    const byId = (a, b) => a.id - b.id;
    return top.sort(byId).map((comment) => ({
      comment,
      replies: (replies.get(comment.id) ?? []).sort(byId),
    }));
  }

  /** How many comments (replies included) a goal has, and how many per paragraph. */
  counts(goalId) {
    let total = 0;
    const paragraphs = new Map();
    for (const comment of this.state.comments.values()) {
      if (comment.goal !== goalId) continue;
      total += 1;
      const n = comment.anchor?.paragraph;
      if (n) paragraphs.set(n, (paragraphs.get(n) ?? 0) + 1);
    }
    return { total, paragraphs };
  }

  /** The server's clock now, in milliseconds (see `welcome`). */
  serverNow() {
    return Date.now() + this.clockOffset;
  }

  /** The open hand of a user (waiting or speaking), if any. */
  handOf(userId) {
    return this.state?.hands.find((h) => h.user?.id === userId) ?? null;
  }
}
