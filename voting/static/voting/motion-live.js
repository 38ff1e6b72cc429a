// The motion page, live: it listens on the circle's room socket (docs/protocol.md) and, when
// this motion's turnout changes or it closes, re-reads the page and swaps the parts that
// changed. The server renders every word and number, so the page reads exactly as a reload
// would; without JavaScript (or without a socket) it is complete as loaded.
//
// Events are triggers only; nothing is polled. After a reconnect the page is re-read once,
// since events may have been missed meanwhile.

const root = document.querySelector("[data-motion-live]");

if (root) {
  const motionId = Number(root.dataset.motion);
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const url = `${scheme}//${window.location.host}${root.dataset.wsPath}`;
  const PING_EVERY = 20_000;
  let backoff = 500;
  let connectedOnce = false;
  let refreshing = null;
  let again = new Set();

  async function refresh(parts) {
    // One read at a time; what is asked for meanwhile is read once afterwards.
    if (refreshing) {
      parts.forEach((part) => again.add(part));
      return;
    }
    refreshing = (async () => {
      try {
        const response = await fetch(window.location.href, { credentials: "same-origin" });
        if (!response.ok) return;
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
        for (const part of parts) {
          const old = document.querySelector(`[data-live="${part}"]`);
          const replacement = fresh.querySelector(`[data-live="${part}"]`);
          if (!old || !replacement) continue;
          // Never throw away a ballot being filled in: the form is kept while the vote runs.
          const form = old.querySelector("[data-ballot-form]");
          const freshForm = replacement.querySelector("[data-ballot-form]");
          if (form && freshForm) freshForm.replaceWith(form);
          // Swap the children, keep the element: a live region must stay in place to speak.
          old.replaceChildren(...replacement.childNodes);
        }
      } catch {
        // offline for a moment: the next event or reconnect reads again
      } finally {
        refreshing = null;
        if (again.size) {
          const next = [...again];
          again = new Set();
          refresh(next);
        }
      }
    })();
  }

  function onEvent(frame) {
    const data = frame.data || {};
    if (frame.kind === "motion.turnout" && data.motion === motionId) {
      refresh(["turnout"]);
    } else if (frame.kind === "motion.closed" && data.motion && data.motion.id === motionId) {
      refresh(["head", "motion"]);
    }
  }

  function connect() {
    const socket = new WebSocket(url);
    let pinger = null;
    socket.addEventListener("open", () => {
      backoff = 500;
      pinger = setInterval(() => socket.send(JSON.stringify({ type: "ping" })), PING_EVERY);
    });
    socket.addEventListener("message", (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (frame.type === "welcome") {
        if (connectedOnce) refresh(["head", "turnout", "motion"]);
        connectedOnce = true;
      } else if (frame.type === "event") {
        onEvent(frame);
      }
    });
    socket.addEventListener("close", (event) => {
      clearInterval(pinger);
      if (event.code === 4403 || event.code === 4404) return; // not allowed / no such room
      const jitter = 0.7 + Math.random() * 0.6;
      setTimeout(connect, backoff * jitter);
      backoff = Math.min(backoff * 2, 30_000);
    });
  }

  connect();
}
