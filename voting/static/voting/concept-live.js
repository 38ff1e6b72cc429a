// The concept document follows adopted goals live: a read-only socket (/ws/concept/) says
// "the document changed", and the page fetches itself again and swaps the document part in.
// Nothing is lost when the socket is down: it reconnects with backoff and re-reads once.
// <body data-concept-live> is "connecting", "open" or "offline".

const PARTS = [".concept-doc", ".page-head__lead"];

async function refresh() {
  const response = await fetch(window.location.href, {
    credentials: "same-origin",
    headers: { Accept: "text/html" },
  });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const selector of PARTS) {
    const now = document.querySelector(selector);
    const next = fresh.querySelector(selector);
    if (now && next) now.replaceWith(document.adoptNode(next));
  }
  const status = document.getElementById("concept-live-status");
  if (status) status.textContent = status.dataset.updated || "";
}

function connect(attempt = 0, missed = false) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${window.location.host}/ws/concept/`);
  document.body.dataset.conceptLive = "connecting";
  socket.addEventListener("open", () => {
    document.body.dataset.conceptLive = "open";
    attempt = 0;
    if (missed) refresh(); // something may have changed while we were away
  });
  socket.addEventListener("message", (event) => {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame.type === "concept.changed") refresh();
  });
  socket.addEventListener("close", () => {
    document.body.dataset.conceptLive = "offline";
    const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.7 + Math.random() * 0.6);
    setTimeout(() => connect(attempt + 1, true), delay);
  });
}

if ("WebSocket" in window) connect();
