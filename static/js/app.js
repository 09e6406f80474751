/* Every page: registers the service worker (/sw.js) and clears what was kept for offline
 * reading when the user logs out or is logged out (the login page). */
/* global TongxinOutbox */
"use strict";

(function () {
  const user = document.body.dataset.user || "";

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
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
