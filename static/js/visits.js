/* The leader page's visit form, online or not: a visit is saved on the phone first
 * (static/js/outbox.js, shown as 待同步), then sent to POST /api/visits/ with its own
 * Idempotency-Key, now if there is signal, else when the connection returns (the `online`
 * event, Background Sync in the service worker, or the next time the page is opened).
 * A refusal (the household left the group, the pairing ended) stays on the phone with the
 * server's reason and 重试 / 放弃 buttons; an expired login keeps everything until the
 * next login. Without IndexedDB the links open the server's own visit form. */
/* global TongxinOutbox */
"use strict";

(function () {
  const user = document.body.dataset.user;
  if (!user || !window.indexedDB || !window.TongxinOutbox) return;
  const T = JSON.parse(document.getElementById("outbox-messages").textContent);
  const $ = (id) => document.getElementById(id);
  const section = $("offline-visit");
  const form = $("visit-form");
  const status = $("net-status");
  let current = null; // the household link being visited
  let openedAt = null; // when the form was opened: the visit's time unless changed

  function say(text, kind) {
    status.textContent = text;
    status.className = `message ${kind || ""}`;
    status.hidden = !text;
  }

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function localInput(date) {
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }

  function openForm(link) {
    current = link;
    form.reset();
    $("visit-household").textContent = link.dataset.label;
    $("visit-clears").hidden = link.dataset.paired !== "1";
    openedAt = new Date();
    $("id_visited_at").value = localInput(openedAt);
    section.hidden = false;
    section.scrollIntoView();
    $("id_notes").focus();
  }

  for (const link of document.querySelectorAll("a.visit-link")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      openForm(link);
    });
  }

  $("visit-cancel").addEventListener("click", () => {
    section.hidden = true;
    current = null;
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!current) return;
    const data = new FormData(form);
    const typed = data.get("visited_at");
    const at = !typed || typed === localInput(openedAt) ? openedAt : new Date(typed);
    const body = {
      household: Number(current.dataset.household),
      visited_at: (isNaN(at) ? new Date() : at).toISOString(),
      notes: data.get("notes") || "",
    };
    if (current.dataset.group) body.group = Number(current.dataset.group);
    if (current.dataset.paired === "1") {
      for (const box of $("visit-clears").querySelectorAll("input[type=checkbox]")) body[box.name] = box.checked;
    }
    const title = (data.get("problem_title") || "").trim();
    if (title) {
      body.problems = [
        { category: data.get("problem_category"), title, description: data.get("problem_description") || "" },
      ];
    }
    await TongxinOutbox.add(user, current.dataset.household, current.dataset.label, body);
    section.hidden = true;
    current = null;
    say(T.saved, "");
    await render();
    requestBackgroundSync();
    trySync();
  });

  function button(label, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  async function render() {
    const entries = await TongxinOutbox.all(user);
    const list = $("outbox-list");
    list.replaceChildren();
    $("outbox").hidden = entries.length === 0;
    for (const entry of entries) {
      const li = document.createElement("li");
      li.className = "outbox-entry";
      li.dataset.key = entry.key;
      li.dataset.state = entry.state;
      li.dataset.household = entry.household;
      const head = document.createElement("div");
      const when = new Date(entry.body.visited_at).toLocaleString();
      head.textContent = `${entry.label} · ${when}`;
      const state = document.createElement("span");
      state.className = `state ${entry.state === "synced" ? "ok" : entry.state === "refused" ? "error" : "muted"}`;
      state.textContent = entry.state === "auth" ? T.pending : T[entry.state];
      head.append(" ", state);
      li.append(head);
      if (entry.state === "refused" || entry.state === "auth") {
        const why = document.createElement("div");
        why.className = "error reason";
        why.dataset.code = entry.code;
        why.textContent = entry.state === "auth" ? T.auth : T.codes[entry.code] || entry.detail || entry.code;
        li.append(why);
      }
      if (entry.state === "refused") {
        li.append(
          button(T.retry, async () => {
            entry.state = "pending";
            await TongxinOutbox.put(entry);
            await render();
            trySync();
          }),
          " ",
          button(T.discard, async () => {
            if (!window.confirm(T.confirm_discard)) return;
            await TongxinOutbox.remove(entry.key);
            await render();
          }),
        );
      }
      list.append(li);
    }
  }

  function requestBackgroundSync() {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.ready
      .then((reg) => reg.sync && reg.sync.register(TongxinOutbox.SYNC_TAG))
      .catch(() => {});
  }

  async function trySync() {
    if (navigator.onLine === false) {
      const entries = await TongxinOutbox.all(user);
      if (entries.some((e) => e.state === "pending")) say(T.offline, "");
      return;
    }
    const summary = await TongxinOutbox.syncAll(user, null);
    await render();
    if (summary.auth) {
      say(T.auth, "error");
    } else if (summary.offline) {
      say(T.offline, "");
    } else if (summary.synced || summary.refused) {
      say("", "");
    }
  }

  window.addEventListener("online", trySync);
  window.addEventListener("offline", () => say(T.offline, ""));
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "outbox-synced") render();
    });
  }
  TongxinOutbox.prune(user)
    .catch(() => {})
    .then(render)
    .then(trySync);
})();
