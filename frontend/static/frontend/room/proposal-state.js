// Change proposals in the room's state (docs/protocol.md, "Change proposals"): the snapshot's
// `proposals` as a Map by id, kept by every `proposal.*` event. No DOM here: store.js uses it.

/** Keep `state.proposals` (a Map by id): every `proposal.*` event carries the proposal and,
 * for a new or withdrawn one, the conflicts of its siblings. */
function upsertProposal(state, data) {
  if (!state.proposals) state.proposals = new Map();
  state.proposals.set(data.proposal.id, data.proposal);
  for (const entry of data.conflicts ?? []) {
    const known = state.proposals.get(entry.id);
    if (known) state.proposals.set(entry.id, { ...known, conflicts_with: entry.conflicts_with });
  }
}

export const PROPOSAL_REDUCERS = Object.fromEntries(
  ["created", "withdrawn", "decided", "applied", "vote_opened", "vote_cast", "vote_closed"].map((kind) => [
    `proposal.${kind}`,
    upsertProposal,
  ]),
);

