// Roster import job page: poll the job's progress (data-progress-url) and show the current
// stage, its counts and the bar; reload once the job is no longer active.
(function () {
  "use strict";
  var card = document.querySelector("[data-progress-url]");
  if (!card) { return; }
  var bar = document.getElementById("progress-bar");
  var label = document.getElementById("progress-stage");

  function show(p) {
    label.textContent = p.stage_label;
    if (p.total) { bar.value = p.percent; } else { bar.removeAttribute("value"); }
    p.steps.forEach(function (step) {
      var item = card.querySelector('[data-step="' + step.name + '"]');
      if (!item) { return; }
      item.className = "step step-" + step.state;
      item.querySelector(".step-count").textContent = step.count;
    });
  }

  function poll() {
    fetch(card.dataset.progressUrl, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (p) {
        show(p);
        if (!p.active) { window.location.reload(); } else { setTimeout(poll, 500); }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 300);
})();
