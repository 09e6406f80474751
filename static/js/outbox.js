/* The phone's outbox of visits logged offline (IndexedDB `tongxin`, store `outbox`), shared
 * by the page (static/js/visits.js) and the service worker's Background Sync (sw.js).
 *
 * An entry: {key, user, household, label, body, state, code, detail, created, synced}.
 * `key` is the Idempotency-Key, made once on the phone: sending an entry twice (a retry, the
 * page and the service worker at once) never writes twice. `body.visited_at` is the time
 * the visit was made. States: pending (待同步), auth (the login expired: kept, sent after
 * the next login), refused (the server said no: kept until the user retries or discards),
 * synced (kept for a day to show it went through).
 */
"use strict";

(function (scope) {
  const DB_NAME = "tongxin";
  const STORE = "outbox";
  const SYNC_TAG = "tongxin-visits";
  const API = "/api/visits/";
  const DAY_MS = 24 * 3600 * 1000;

  function open() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        const store = req.result.createObjectStore(STORE, { keyPath: "key" });
        store.createIndex("user", "user");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  async function tx(mode, fn) {
    const db = await open();
    try {
      return await new Promise((resolve, reject) => {
        const t = db.transaction(STORE, mode);
        const result = fn(t.objectStore(STORE));
        t.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
        t.onerror = () => reject(t.error);
        t.onabort = () => reject(t.error);
      });
    } finally {
      db.close();
    }
  }

  async function all(user) {
    const rows = await tx("readonly", (s) => s.index("user").getAll(String(user)));
    return (rows || []).sort((a, b) => a.created.localeCompare(b.created));
  }

  const put = (entry) => tx("readwrite", (s) => s.put(entry));
  const remove = (key) => tx("readwrite", (s) => s.delete(key));

  function newKey() {
    if (scope.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function add(user, household, label, body) {
    const entry = {
      key: newKey(),
      user: String(user),
      household: String(household),
      label,
      body,
      state: "pending",
      code: "",
      detail: "",
      created: new Date().toISOString(),
      synced: "",
      csrf: cookie("csrftoken"), // for the service worker's Background Sync
    };
    await put(entry);
    return entry;
  }

  /** What the server's answer means for the entry: synced, refused (with a code), auth
   * (log in again; the entry is kept) or retry (later: no signal, a server error). */
  async function classify(response) {
    if (response.type === "opaqueredirect" || response.redirected) return { state: "auth", code: "login_required" };
    let data = {};
    try {
      data = await response.json();
    } catch (err) {
      data = {};
    }
    const status = response.status;
    if (status >= 200 && status < 300) return { state: "synced", code: "", detail: "", id: data.id };
    const code = data.code || `http_${status}`;
    const detail = data.detail || "";
    if (status === 401) return { state: "auth", code };
    if (status === 403 && code === "permission_denied" && /CSRF/i.test(detail)) return { state: "auth", code: "csrf" };
    if (status >= 500 || status === 409 && code === "idempotency_in_progress" || status === 429) return { state: "retry", code };
    if (data.errors && data.errors.household) return { state: "refused", code: "household_gone", detail };
    if (code === "household_not_found" || code === "not_found") return { state: "refused", code: "household_gone", detail };
    return { state: "refused", code, detail };
  }

  function cookie(name) {
    if (typeof document === "undefined") return "";
    const hit = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return hit ? decodeURIComponent(hit.slice(name.length + 1)) : "";
  }

  let running = null;

  /** Send the user's pending entries, oldest first. `csrf`: the page's token (the service
   * worker passes null and uses the one stored with the entry). */
  function syncAll(user, csrf) {
    if (running) return running;
    running = (async () => {
      const summary = { synced: 0, refused: 0, auth: false, offline: false, retry: false };
      const token = csrf || cookie("csrftoken");
      for (const entry of await all(user)) {
        if (entry.state !== "pending" && entry.state !== "auth") continue;
        let response;
        try {
          response = await fetch(API, {
            method: "POST",
            credentials: "same-origin",
            redirect: "manual",
            headers: {
              "Content-Type": "application/json",
              Accept: "application/json",
              "X-CSRFToken": token || entry.csrf || "",
              "Idempotency-Key": entry.key,
            },
            body: JSON.stringify(entry.body),
          });
        } catch (err) {
          summary.offline = true;
          break;
        }
        const outcome = await classify(response);
        if (outcome.state === "retry") {
          summary.retry = true;
          continue;
        }
        entry.state = outcome.state;
        entry.code = outcome.code || "";
        entry.detail = outcome.detail || "";
        if (outcome.state === "synced") {
          entry.synced = new Date().toISOString();
          entry.visit = outcome.id;
          summary.synced += 1;
        } else if (outcome.state === "refused") {
          summary.refused += 1;
        }
        await put(entry);
        if (outcome.state === "auth") {
          summary.auth = true;
          break; // the others would fail the same way
        }
      }
      return summary;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  /** Forget synced entries older than a day (they are on the server now). */
  async function prune(user) {
    const cutoff = Date.now() - DAY_MS;
    for (const entry of await all(user)) {
      if (entry.state === "synced" && Date.parse(entry.synced) < cutoff) await remove(entry.key);
    }
  }

  /** Delete the pages kept for offline reading (on logout and on the login page). The
   * entries the user wrote stay, shown to that user only, until sent or discarded. */
  async function clearReadCaches() {
    if (typeof caches === "undefined") return;
    for (const name of await caches.keys()) {
      if (name.startsWith("tongxin-user-") || name === "tongxin-meta") await caches.delete(name);
    }
  }

  /** On logout: the user's synced entries go too (pending and refused ones stay). */
  async function forgetSynced(user) {
    for (const entry of await all(user)) {
      if (entry.state === "synced") await remove(entry.key);
    }
  }

  scope.TongxinOutbox = { SYNC_TAG, add, all, put, remove, syncAll, prune, classify, clearReadCaches, forgetSynced };
})(self);
