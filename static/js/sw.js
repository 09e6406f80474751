/* Tongxin's service worker, served at /sw.js (apps.core.views.service_worker prepends
 * `self.TONGXIN`: version, static URL, the shell files and the offline page's text).
 *
 * - Static files: the shell (our CSS, JS, icons) precached at install and served cache first;
 *   other static files network first with the cached copy offline; in `tongxin-static-<v>`.
 * - Pages the server marks with `X-Tongxin-Offline: <user id>` (home, the leader page):
 *   network first; each good answer is kept in `tongxin-user-<id>`, and `tongxin-meta`
 *   remembers whose caches are current. Offline, the current user's copy is shown.
 *   The page clears both on logout and on the login page (static/js/app.js).
 * - Everything else (the API, writes, other pages) goes to the network untouched.
 * - Background Sync `tongxin-visits`: sends the visits waiting in IndexedDB
 *   (static/js/outbox.js, the same code the page runs).
 */
/* global TongxinOutbox */
"use strict";

const CFG = self.TONGXIN;
const STATIC_CACHE = `tongxin-static-${CFG.version}`;
const META_CACHE = "tongxin-meta";
const USER_PREFIX = "tongxin-user-";
const CURRENT_USER = "/__tongxin/current-user";

importScripts(`${CFG.static}js/outbox.js`);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(STATIC_CACHE).then((cache) => cache.addAll(CFG.shell)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("tongxin-static-") && name !== STATIC_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function currentUser() {
  const meta = await caches.open(META_CACHE);
  const hit = await meta.match(CURRENT_USER);
  return hit ? (await hit.text()) : "";
}

async function rememberPage(request, response) {
  const user = response.headers.get("X-Tongxin-Offline");
  if (!user || !/^[0-9]+$/.test(user)) return;
  if (user !== (await currentUser())) {
    // Another user on this phone: nothing of the previous one stays.
    for (const name of await caches.keys()) {
      if (name.startsWith(USER_PREFIX)) await caches.delete(name);
    }
    await (await caches.open(META_CACHE)).put(CURRENT_USER, new Response(user));
  }
  await (await caches.open(USER_PREFIX + user)).put(request, response);
}

function offlineFallback() {
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const links = CFG.offline_links.map(([href, label]) => `<li><a href="${esc(href)}">${esc(label)}</a></li>`);
  const html = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${esc(CFG.static)}css/app.css"><main class="page" id="offline-fallback">
<h1>${esc(CFG.offline_title)}</h1><p>${esc(CFG.offline_text)}</p><ul class="list">${links.join("")}</ul></main>`;
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function pageNetworkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok && response.headers.has("X-Tongxin-Offline")) {
      await rememberPage(request, response.clone());
    }
    return response;
  } catch (err) {
    const user = await currentUser();
    if (user) {
      const cache = await caches.open(USER_PREFIX + user);
      const hit = await cache.match(request, { ignoreVary: true });
      if (hit) return hit;
    }
    return offlineFallback();
  }
}

async function staticFile(request) {
  // The shell (precached, versioned by the worker's hash of it): cache first. Any other
  // static file: the network first, so that a deploy is seen at once; the copy is kept for
  // offline use.
  const cache = await caches.open(STATIC_CACHE);
  const shell = CFG.shell.includes(new URL(request.url).pathname);
  if (shell) {
    const hit = await cache.match(request);
    if (hit) return hit;
  }
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (err) {
    const hit = await cache.match(request);
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(CFG.static)) {
    event.respondWith(staticFile(request));
  } else if (request.mode === "navigate") {
    event.respondWith(pageNetworkFirst(request));
  }
});

async function keepPage(url) {
  // A page loaded before this worker controlled it (the first visit): fetch it again.
  const target = new URL(url, self.location.origin);
  if (target.origin !== self.location.origin) return;
  const response = await fetch(target.href, { credentials: "same-origin" });
  if (response.ok && response.headers.has("X-Tongxin-Offline")) {
    await rememberPage(new Request(target.href), response);
  }
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "logout") {
    event.waitUntil(TongxinOutbox.clearReadCaches());
  } else if (data.type === "keep" && typeof data.url === "string") {
    event.waitUntil(keepPage(data.url).catch(() => {}));
  }
});

async function notifyClients(summary) {
  for (const client of await self.clients.matchAll({ type: "window" })) {
    client.postMessage({ type: "outbox-synced", summary });
  }
}

self.addEventListener("sync", (event) => {
  if (event.tag !== TongxinOutbox.SYNC_TAG) return;
  event.waitUntil(
    (async () => {
      const user = await currentUser();
      if (!user) return;
      const summary = await TongxinOutbox.syncAll(user, null);
      await notifyClients(summary);
      // Still offline: fail, so that the browser tries again later.
      if (summary.offline) throw new Error("offline");
    })(),
  );
});
