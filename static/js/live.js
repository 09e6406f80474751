/* The live wish hall (apps.live): keeps an open hall, wish page, "my claims" page and the
 * message badge current without a reload.
 *
 * One websocket (/ws/live/) per page brings `{type: "wish", id, state, at}` and
 * `{type: "badge", unread, at}` events, only those the user's scope reaches. Nothing else
 * travels: a newly published (or re-published) wish's card is taken from the hall page itself,
 * fetched through its own scoped URL. On (re)connect, and every few seconds while the socket
 * is unavailable, the page asks /api/live/sync/ what changed since the last event it saw
 * (`since`, server time), so a page that was offline or asleep catches up. A wish that is no
 * longer open turns to "已被认领" (its claim buttons disabled) and never offers a stale claim.
 *
 * Configuration comes from the #live element (templates/live/_live.html). Other scripts may
 * listen for `live:card` (a card was added or replaced; detail: {id, node}) and `live:wish`
 * (detail: {id, state}) on document.
 */
"use strict";

(function () {
  const root = document.getElementById("live");
  if (!root || !window.fetch) return;
  const cfg = root.dataset;
  const page = cfg.page || "";
  const POLL_MS = 4000;
  const POLL_MS_BADGE = 20000;
  const MAX_RETRY_MS = 30000;
  let since = Number(cfg.since) || Date.now();
  let socket = null;
  let pollTimer = null;
  let retryTimer = null;
  let retries = 0;
  let syncing = null;
  const pendingCards = new Set();
  let cardTimer = null;

  // --- what the page shows: the last known state of each wish on it ----------------------

  const known = new Map();
  function hallCard(id) {
    return document.getElementById(`wish-${id}`);
  }
  function hallCards() {
    return Array.from(document.querySelectorAll("article.wish-card[id^='wish-']"));
  }
  if (page === "wishes:hall") {
    for (const card of hallCards()) known.set(card.id.slice(5), card.dataset.liveState || "published");
  } else if (page === "wishes:detail" && cfg.wish) {
    known.set(cfg.wish, cfg.wishState || "");
  } else if (page === "wishes:claims") {
    for (const card of document.querySelectorAll("article[data-wish]")) {
      known.set(card.dataset.wish, card.dataset.wishState || "");
    }
  }

  function fetchDoc(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(
      (response) => {
        if (!response.ok) throw new Error(String(response.status));
        return response.text().then((text) => new DOMParser().parseFromString(text, "text/html"));
      },
    );
  }

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail }));
  }

  // --- the hall ---------------------------------------------------------------------------

  function markTaken(card, state) {
    card.dataset.liveState = state;
    card.classList.add("wish-taken");
    for (const button of card.querySelectorAll("button, input[type=submit]")) {
      button.disabled = true;
    }
    for (const form of card.querySelectorAll("form")) form.dataset.liveStale = "1";
    // The claim links open the confirmation sheet (static/js/claim.js): a taken wish has none.
    for (const link of card.querySelectorAll("a[data-claim-sheet]")) link.hidden = true;
    emit("live:taken", { id: card.id.slice(5) });
    let tag = card.querySelector(".live-taken");
    if (!tag) {
      tag = document.createElement("p");
      tag.className = "live-taken";
      tag.setAttribute("role", "status");
      const heading = card.querySelector("h2, h3");
      if (heading) heading.after(tag);
      else card.prepend(tag);
    }
    tag.textContent = state === "withdrawn" || state === "gone" ? cfg.gone : cfg.taken;
  }

  // A claim form on a card marked taken never submits (the server refuses it anyway).
  document.addEventListener(
    "submit",
    (event) => {
      if (event.target.dataset && event.target.dataset.liveStale) event.preventDefault();
    },
    true,
  );

  function queueCard(id) {
    pendingCards.add(id);
    if (cardTimer) return;
    // A little jitter: thousands of pages fetching the hall at the same instant would queue.
    cardTimer = setTimeout(loadCards, 50 + Math.random() * 250);
  }

  function loadCards() {
    cardTimer = null;
    const ids = Array.from(pendingCards);
    pendingCards.clear();
    const url = new URL(location.href);
    url.searchParams.delete("page");
    fetchDoc(url.toString())
      .then((doc) => {
        const main = document.querySelector("main");
        if (!hallCards().length) {
          // An empty hall has nothing in progress: take the fresh one whole.
          const fresh = doc.querySelector("main");
          if (main && fresh) main.replaceChildren(...Array.from(fresh.childNodes, (n) => document.importNode(n, true)));
          for (const card of hallCards()) {
            known.set(card.id.slice(5), "published");
            emit("live:card", { id: card.id.slice(5), node: card });
          }
          return;
        }
        for (const id of ids.reverse()) {
          const fresh = doc.getElementById(`wish-${id}`);
          if (!fresh) continue; // filtered out of this view, or taken again meanwhile
          const node = document.importNode(fresh, true);
          node.classList.add("live-new");
          const old = hallCard(id);
          if (old) old.replaceWith(node);
          else hallCards()[0].before(node);
          known.set(String(id), "published");
          emit("live:card", { id: String(id), node });
        }
      })
      .catch(() => {});
  }

  // --- the wish page and "my claims": fetch the page again, swap the changed part ---------

  let noticeShown = false;
  function notice() {
    if (noticeShown) return;
    noticeShown = true;
    const p = document.createElement("p");
    p.className = "message live-notice";
    p.setAttribute("role", "status");
    p.textContent = cfg.changed;
    const main = document.querySelector("main");
    if (main) main.prepend(p);
  }

  function busy(container) {
    const active = document.activeElement;
    if (active && container.contains(active) && /^(TEXTAREA|INPUT|SELECT)$/.test(active.tagName)) {
      return true;
    }
    return Array.from(container.querySelectorAll("textarea")).some((t) => t.value.trim());
  }

  function refreshDetail() {
    const main = document.querySelector("main");
    if (!main) return;
    if (busy(main)) {
      notice();
      return;
    }
    fetchDoc(location.href)
      .then((doc) => {
        const fresh = doc.querySelector("main");
        if (fresh) main.replaceChildren(...Array.from(fresh.childNodes, (n) => document.importNode(n, true)));
      })
      .catch(notice); // out of sight now (404): say so, keep what was shown
  }

  function refreshClaims(id) {
    const cards = document.querySelectorAll(`article[data-wish="${id}"]`);
    if (!cards.length) return;
    fetchDoc(location.href)
      .then((doc) => {
        for (const card of cards) {
          const fresh = card.id && doc.getElementById(card.id);
          if (fresh && !busy(card)) card.replaceWith(document.importNode(fresh, true));
          else if (!fresh) markTaken(card, "gone");
        }
      })
      .catch(() => {});
  }

  // --- events -----------------------------------------------------------------------------

  function onWish(id, state) {
    id = String(id);
    const before = known.get(id);
    if (before === state) return;
    emit("live:wish", { id, state });
    if (page === "wishes:hall") {
      const card = hallCard(id);
      if (state === "published") {
        if (!card || card.dataset.liveState) queueCard(id);
        else known.set(id, state);
      } else {
        known.set(id, state);
        if (card) markTaken(card, state);
      }
    } else if (page === "wishes:detail" && id === cfg.wish) {
      known.set(id, state);
      refreshDetail();
    } else if (page === "wishes:claims" && known.has(id)) {
      known.set(id, state);
      refreshClaims(id);
    }
  }

  function setBadge(unread) {
    // The tab bar's 消息 tab (templates/base.html), or the header link where a page keeps one.
    const link =
      document.querySelector('.tabbar a[data-tab="messages"]') || document.querySelector(".badge-link");
    if (!link) return;
    let badge = link.querySelector(".badge");
    if (unread > 0) {
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "badge";
        link.append(" ", badge);
      }
      badge.textContent = String(unread);
      badge.dataset.unread = String(unread);
    } else if (badge) {
      badge.remove();
    }
  }

  function onEvent(event) {
    if (event.at && event.at > since) since = event.at;
    if (event.type === "wish") onWish(event.id, event.state);
    else if (event.type === "badge") setBadge(Number(event.unread) || 0);
  }

  // --- catch-up and polling ---------------------------------------------------------------

  function sync() {
    if (syncing) return syncing;
    const params = new URLSearchParams({ since: String(since) });
    const ids = Array.from(known.keys()).slice(0, 200);
    if (ids.length) params.set("ids", ids.join(","));
    syncing = fetch(`${cfg.sync}?${params}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (!data) return;
        for (const [id, state] of Object.entries(data.wishes || {})) onWish(id, state);
        if (page === "wishes:hall") {
          for (const id of data.published || []) onWish(id, "published");
        }
        setBadge(Number(data.unread) || 0);
        if (data.now) since = Math.max(since, data.now - 2000); // overlap: events are idempotent
      })
      .catch(() => {})
      .finally(() => {
        syncing = null;
      });
    return syncing;
  }

  function startPolling() {
    if (pollTimer) return;
    // Pages that show wishes poll every few seconds; the others only for the badge, slower.
    // A hidden page does not poll (it catches up when it is shown again).
    const every = known.size || page === "wishes:hall" ? POLL_MS : POLL_MS_BADGE;
    pollTimer = setInterval(() => {
      if (document.visibilityState !== "hidden") sync();
    }, every);
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  // --- the socket -------------------------------------------------------------------------

  function connect() {
    retryTimer = null;
    if (!window.WebSocket) {
      startPolling();
      return;
    }
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    let ws;
    try {
      ws = new WebSocket(scheme + location.host + cfg.ws);
    } catch (_err) {
      startPolling();
      return;
    }
    socket = ws;
    ws.addEventListener("open", () => {
      retries = 0;
      stopPolling();
      root.dataset.state = "live";
      sync(); // what happened while this page was not listening
    });
    ws.addEventListener("message", (message) => {
      try {
        onEvent(JSON.parse(message.data));
      } catch (_err) {
        /* not ours */
      }
    });
    ws.addEventListener("close", () => {
      if (socket === ws) socket = null;
      root.dataset.state = "polling";
      startPolling();
      sync();
      const delay = Math.min(MAX_RETRY_MS, 1000 * 2 ** retries) * (0.5 + Math.random());
      retries += 1;
      if (!retryTimer) retryTimer = setTimeout(connect, delay);
    });
  }

  // A phone waking up: the socket may be dead without having said so.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    if (!socket || socket.readyState > 1) {
      clearTimeout(retryTimer);
      connect();
    } else {
      sync();
    }
  });

  // For tests and the curious: cut the socket (it reconnects and catches up by itself).
  window.TongxinLive = {
    drop() {
      if (socket) socket.close();
    },
    since: () => since,
  };

  connect();
})();
