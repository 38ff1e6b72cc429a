// The reducers for a round's events (docs/rounds.md, "Room events"): they keep the snapshot's
// `round` part, so a stale snapshot plus the events equals a fresh one. While there is no
// active round (`round` is null), only `round.opened` changes anything.

function replaceById(items, item, key = "id") {
  return items.map((other) => (other[key] === item[key] ? item : other));
}

export const ROUND_REDUCERS = {
  "round.opened"(state, data) {
    state.round = data;
  },
  "round.phase_changed"(state, data) {
    if (!state.round) return;
    state.round = data.round.phase === "closed" ? null : { ...state.round, round: data.round };
  },
  "agenda.item_started"(state, data) {
    if (!state.round) return;
    const round = state.round.round;
    round.current_item = data.item.id;
    round.agenda = replaceById(round.agenda, data.item);
  },
  "rating.aggregate"(state, data) {
    if (!state.round) return;
    state.round.ratings = replaceById(state.round.ratings, data.aggregate, "goal");
  },
  "idea.proposed"(state, data) {
    if (!state.round) return;
    if (!state.round.ideas.some((i) => i.id === data.idea.id)) state.round.ideas.push(data.idea);
  },
  "idea.accepted"(state, data) {
    if (state.round) state.round.ideas = replaceById(state.round.ideas, data.idea);
  },
  "idea.declined"(state, data) {
    if (state.round) state.round.ideas = replaceById(state.round.ideas, data.idea);
  },
  "disposition.set"(state, data) {
    if (!state.round) return;
    const rest = state.round.dispositions.filter((d) => d.id !== data.disposition.id);
    rest.push(data.disposition);
    state.round.dispositions = rest.sort((a, b) => a.id - b.id);
  },
  "version.feedback_linked"() {},
};
