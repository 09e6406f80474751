/* Every page: registers the service worker (/sw.js) and clears what was kept for offline
 * reading when the user logs out or is logged out (the login page). */
/* global TongxinOutbox */
"use strict";

(function () {
  const user = document.body.dataset.user || "";

  if ("serviceWorker" in navigator) {
    const controlled = !!navigator.serviceWorker.controller;
    // The language in the URL: the worker's offline page speaks the user's language.
    const lang = encodeURIComponent(document.documentElement.lang || "");
    navigator.serviceWorker.register(`/sw.js?lang=${lang}`, { scope: "/" }).catch(() => {});
    if (!controlled && user) {
      // The first visit went round the worker: have it keep this page for offline use
      // (it does only if the server marked the page so).
      navigator.serviceWorker.ready
        .then((reg) => reg.active && reg.active.postMessage({ type: "keep", url: location.href }))
        .catch(() => {});
    }
  }

  if (!user && window.TongxinOutbox) {
    TongxinOutbox.clearReadCaches().catch(() => {});
  }

  for (const form of document.querySelectorAll("form.logout")) {
    form.addEventListener("submit", (event) => {
      if (form.dataset.cleared) return;
      event.preventDefault();
      const done = () => {
        form.dataset.cleared = "1";
        form.submit();
      };
      const steps = [TongxinOutbox.clearReadCaches(), TongxinOutbox.forgetSynced(user)];
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "logout" });
      }
      Promise.allSettled(steps).then(done);
    });
  }
})();

// Behaviour that used to sit in inline event handlers (the Content-Security-Policy allows
// no inline script): <select data-autosubmit> submits its form on change, <button
// data-print> prints the page, <form data-confirm="…"> asks before submitting, <input
// data-select> selects its text when tapped.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.submit();
});
document.addEventListener("click", function (event) {
  var el = event.target.closest && event.target.closest("[data-print]");
  if (el) { event.preventDefault(); window.print(); }
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute && form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("click", function (event) {
  var el = event.target;
  if (el.matches && el.matches("input[data-select]")) el.select();  // a link to share
});
// The top bar's back link (返回): back in the history when the user came from a page of this
// site, else to its href (the home page, or the page's parent).
document.addEventListener("click", function (event) {
  var el = event.target.closest && event.target.closest("a[data-back]");
  if (!el || !document.referrer || window.history.length < 2) return;
  var from;
  try { from = new URL(document.referrer); } catch (e) { return; }
  if (from.origin !== window.location.origin || from.pathname === "/login/") return;
  event.preventDefault();
  window.history.back();
});
