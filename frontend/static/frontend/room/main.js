// The live room page: wires the store, the connection and the view together.
// Plain ES modules, no bundler; see docs/protocol.md for the wire protocol.

import { RoomConnection } from "./connection.js";
import { RoomKeys } from "./keys.js";
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
  const connection = new RoomConnection({ url, store, handlers: session.wrap(view.handlers()) });
  view.attach(connection);
  session.attach(connection);
  // The quick bar (hand, comment box) and the keyboard shortcuts with their help: keys.js.
  new RoomKeys(root, view).attach();
  connection.start();
}
