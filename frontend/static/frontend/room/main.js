// The live room page: wires the store, the connection and the view together.
// Plain ES modules, no bundler; see docs/protocol.md for the wire protocol.

import { RoomConnection } from "./connection.js";
import { RoomKeys } from "./keys.js";
import { ProposalsPanel } from "./proposals.js";
import { SessionPanel } from "./session.js";
import { RoomStore } from "./store.js";
import { RoomView } from "./view.js";

const root = document.getElementById("room");
if (root) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const url = `${scheme}//${window.location.host}${root.dataset.wsPath}`;
  const store = new RoomStore();
  const view = new RoomView(root, { store, slug: root.dataset.slug });
  // The session's extras (speakers' time, point of order, Blitzlicht, links): session.js.
  const session = new SessionPanel(root, { store, slug: root.dataset.slug });
  // Change proposals on the goal's text, their quick vote and the revision's apply step.
  const proposals = new ProposalsPanel(root, { store, view, slug: root.dataset.slug });
  const handlers = proposals.wrap(session.wrap(view.handlers()));
  const connection = new RoomConnection({ url, store, handlers });
  view.attach(connection);
  session.attach(connection);
  proposals.attach(connection);
  // The quick bar (hand, comment box) and the keyboard shortcuts with their help: keys.js.
  new RoomKeys(root, view).attach();
  connection.start();
}
