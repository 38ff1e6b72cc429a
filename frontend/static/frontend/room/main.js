// The live room page: wires the store, the connection and the view together.
// Plain ES modules, no bundler; see docs/protocol.md for the wire protocol.

import { RoomConnection } from "./connection.js";
import { RoomStore } from "./store.js";
import { RoomView } from "./view.js";

const root = document.getElementById("room");
if (root) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const url = `${scheme}//${window.location.host}${root.dataset.wsPath}`;
  const store = new RoomStore();
  const view = new RoomView(root, { store, slug: root.dataset.slug });
  const connection = new RoomConnection({ url, store, handlers: view.handlers() });
  view.attach(connection);
  connection.start();
}
