// The room's WebSocket: connect, heartbeat, reconnect with backoff, resume, retry commands.
//
// This is "The client algorithm" of docs/protocol.md. The connection owns the transport and
// the list of commands still waiting for their answer; the store owns the state and decides
// whether an event is the next one, a repeat or beyond a gap. Nothing typed is lost: a
// command stays pending until the server answers it, across any number of reconnects, and a
// `comment.post` is re-sent with its original `client_key`, so the server creates it once.

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 30_000;
const BACKOFF_JITTER = 0.3;
// A connection that lived this long was a good one: the next failure starts from the bottom.
const STABLE_AFTER_MS = 30_000;
// Nothing at all from the server for heartbeat interval + this: the socket is dead.
const SILENCE_GRACE_MS = 25_000;
const WATCHDOG_EVERY_MS = 5_000;
// Close codes after which reconnecting is pointless (not allowed in; no such room).
const FINAL_CLOSE_CODES = new Set([4403, 4404]);
// Errors worth another try of the same command after a pause.
const RETRY_CODES = new Set(["rate_limited", "unavailable"]);
const MAX_RETRIES = 5;

/** A delay for the `attempt`-th reconnect: 0.5 s, 1 s, 2 s … ≤ 30 s, each ±30 %. */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
  return Math.round(base * (1 + (random() * 2 - 1) * BACKOFF_JITTER));
}

/** A key that names one comment across all its retries (not only in secure contexts). */
export function newClientKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class RoomConnection {
  /**
   * @param {object} options
   * @param {string} options.url        ws(s)://host/ws/rooms/<slug>/
   * @param {import("./store.js").RoomStore} options.store
   * @param {object} options.handlers   status(state, detail), snapshot(), event(frame),
   *                                    problem(errorFrame), resync(); optional
   *                                    replayStart(), replayEnd(complete): a resume's
   *                                    replay begins and ends (`replaying` is true meanwhile)
   */
  constructor({ url, store, handlers }) {
    this.url = url;
    this.store = store;
    this.handlers = handlers;
    this.ws = null;
    this.generation = 0; // +1 per socket; a pending command remembers where it was sent
    this.ready = false; // welcome (and replay) done: commands may go out
    this.attempt = 0;
    this.retryTimer = null;
    this.heartbeatTimer = null;
    this.watchdogTimer = null;
    this.heartbeatMs = 20_000;
    this.lastFrameAt = 0;
    this.openedAt = 0;
    this.resumeInFlight = false;
    this.freshNext = false; // the next connection asks for a snapshot, not a replay
    this.partial = null; // a welcome whose snapshot.part frames are still arriving
    this.stopped = false;
    this.finalCode = null;
    this.pending = new Map(); // id → {frame, resolve, reject, sentOn, retried, tries}
    this.nextId = 1;
    this.everOpen = false;
    this.replaying = false; // between a resumed welcome and its `resumed` frame
  }

  start() {
    window.addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.ping();
    });
    // Leave cleanly so presence drops at once; come back if the page is restored from cache.
    window.addEventListener("pagehide", () => this.stop());
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) this.resume();
    });
    this.connect();
  }

  get online() {
    return this.ready && this.ws !== null;
  }

  // --- commands ---------------------------------------------------------------------------

  /**
   * Send a command; resolves with its `ack`, rejects with its `error` frame. While offline
   * the command waits and goes out after the next welcome.
   */
  command(type, fields = {}) {
    const id = `c${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const frame = { type, ...fields };
      const entry = { frame, id, resolve, reject, sentOn: 0, retried: false, tries: 0 };
      this.pending.set(id, entry);
      if (this.ready) this.sendPending(entry);
    });
  }

  sendPending(entry) {
    if (!this.ready || entry.sentOn === this.generation) return;
    if (this.pending.get(entry.id) !== entry) return; // answered meanwhile
    if (entry.sentOn !== 0) entry.retried = true;
    entry.sentOn = this.generation;
    this.send({ ...entry.frame, id: entry.id });
  }

  settle(frame) {
    const entry = this.pending.get(frame.id);
    if (!entry) return false;
    if (frame.type === "ack") {
      this.pending.delete(frame.id);
      entry.resolve(frame);
      return true;
    }
    if (RETRY_CODES.has(frame.code) && entry.tries < MAX_RETRIES) {
      entry.tries += 1;
      entry.sentOn = 0; // it was not executed: send it again after a pause
      setTimeout(() => this.sendPending(entry), 1000 * 2 ** entry.tries);
      return true;
    }
    this.pending.delete(frame.id);
    if (frame.code === "conflict" && entry.retried) {
      // A repeat after a lost answer: the first attempt took effect (the replay shows it).
      entry.resolve({ type: "ack", id: frame.id, seq: this.store.seq, repeated: true });
    } else {
      entry.reject(frame);
    }
    return true;
  }

  // --- the socket -------------------------------------------------------------------------

  connect() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.stopped || this.finalCode !== null) return;
    const resume = this.store.hasState && !this.freshNext;
    this.freshNext = false;
    const url = resume ? `${this.url}?after=${this.store.seq}` : this.url;
    const ws = new WebSocket(url);
    this.ws = ws;
    this.generation += 1;
    this.ready = false;
    this.resumeInFlight = false;
    this.partial = null;
    this.endReplay(false);
    this.lastFrameAt = Date.now();
    ws.addEventListener("message", (event) => {
      if (ws === this.ws) this.receive(event.data);
    });
    ws.addEventListener("close", (event) => this.closed(ws, event.code));
    if (!this.everOpen) this.handlers.status("connecting", {});
  }

  /** Reconnect at once instead of waiting for the backoff (the network came back). */
  reconnectNow() {
    if (this.ws === null && !this.stopped && this.finalCode === null) {
      this.attempt = 0;
      this.connect();
    } else {
      this.ping();
    }
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    if (ws) {
      this.ws = null;
      this.ready = false;
      this.stopTimers();
      ws.close(1000);
    }
  }

  resume() {
    this.stopped = false;
    this.attempt = 0;
    this.connect();
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  ping() {
    if (this.ready) this.send({ type: "ping", id: `p${this.nextId++}` });
  }

  closed(ws, code) {
    if (ws !== this.ws) return; // an abandoned socket
    this.ws = null;
    this.ready = false;
    this.resumeInFlight = false;
    this.stopTimers();
    if (this.stopped) return;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.finalCode = code;
      this.handlers.status("offline", { final: code });
      return;
    }
    if (this.openedAt && Date.now() - this.openedAt >= STABLE_AFTER_MS) this.attempt = 0;
    this.openedAt = 0;
    const delay = this.freshNext ? 0 : backoffDelay(this.attempt);
    this.attempt += 1;
    this.handlers.status(this.everOpen ? "offline" : "connecting", { code, delay });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Give up on a socket the browser still thinks is open (no frame for too long). */
  abandon() {
    const ws = this.ws;
    if (!ws) return;
    try {
      ws.close(4000, "silent");
    } catch {
      // closing a broken socket may throw; it is gone either way
    }
    this.closed(ws, 1006);
  }

  startTimers() {
    this.stopTimers();
    this.heartbeatTimer = setInterval(() => this.ping(), this.heartbeatMs);
    this.watchdogTimer = setInterval(() => {
      if (Date.now() - this.lastFrameAt > this.heartbeatMs + SILENCE_GRACE_MS) this.abandon();
    }, WATCHDOG_EVERY_MS);
  }

  stopTimers() {
    clearInterval(this.heartbeatTimer);
    clearInterval(this.watchdogTimer);
    this.heartbeatTimer = null;
    this.watchdogTimer = null;
  }

  /** Welcome and replay are done: the connection is live, waiting commands go out. */
  becomeReady() {
    if (this.ready) return;
    this.ready = true;
    this.everOpen = true;
    this.openedAt = Date.now();
    this.handlers.status("open", {});
    for (const entry of this.pending.values()) this.sendPending(entry);
  }

  requestResume() {
    if (this.resumeInFlight) return;
    this.resumeInFlight = true;
    this.send({ type: "resume", after: this.store.seq });
  }

  // --- frames from the server -------------------------------------------------------------

  receive(text) {
    this.lastFrameAt = Date.now();
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return; // not ours to interpret; the protocol only sends JSON objects
    }
    switch (frame.type) {
      case "welcome":
        this.onWelcome(frame);
        break;
      case "snapshot.part":
        this.onSnapshotPart(frame);
        break;
      case "event":
        this.onEvent(frame);
        break;
      case "resumed":
        this.resumeInFlight = false;
        if (this.store.seq < frame.seq) {
          this.requestResume(); // an event was skipped while the replay ran
        } else {
          this.becomeReady();
          this.endReplay(true);
        }
        break;
      case "resync":
        this.endReplay(false);
        this.store.reset();
        this.handlers.resync();
        break;
      case "pong":
        if (typeof frame.seq === "number" && frame.seq > this.store.seq) this.requestResume();
        break;
      case "ack":
        this.settle(frame);
        break;
      case "error":
        if (frame.id === null || frame.id === undefined || !this.settle(frame)) {
          this.handlers.problem(frame);
        }
        break;
      default:
        break; // newer servers may send frames this client does not know
    }
  }

  onWelcome(frame) {
    const interval = frame.heartbeat?.interval;
    if (typeof interval === "number" && interval > 0) this.heartbeatMs = interval * 1000;
    this.startTimers();
    if (frame.snapshot && frame.parts > 0) {
      // A long-lived room: the rest of its comments follow before any event.
      this.partial = { frame, missing: frame.parts };
      return;
    }
    this.takeWelcome(frame);
  }

  onSnapshotPart(frame) {
    const partial = this.partial;
    if (partial === null) return; // not after a welcome of ours: nothing to complete
    partial.frame.snapshot.comments.push(...frame.comments);
    partial.missing -= 1;
    if (partial.missing === 0) {
      this.partial = null;
      this.takeWelcome(partial.frame);
    }
  }

  takeWelcome(frame) {
    const result = this.store.welcome(frame);
    if (result === "stale") {
      // Asked to resume a state we cannot use (another role now): start over with a snapshot.
      const ws = this.ws;
      this.store.reset();
      this.freshNext = true;
      ws.close(1000);
      this.closed(ws, 1000);
      return;
    }
    if (result === "replaced") {
      this.handlers.snapshot();
      this.becomeReady();
    }
    // "kept": the replay follows and ends with `resumed`.
    if (result === "kept") {
      this.replaying = true;
      this.handlers.replayStart?.();
    }
  }

  /** A replay ends: complete (`resumed`), or cut short by a new socket or a resync. */
  endReplay(complete) {
    if (!this.replaying) return;
    this.replaying = false;
    this.handlers.replayEnd?.(complete);
  }

  onEvent(frame) {
    const result = this.store.apply(frame);
    if (result === "applied") {
      this.handlers.event(frame);
    } else if (result === "gap") {
      this.requestResume();
    }
  }
}
