/* The leader page's household list without a reload (and so offline too): the filter chips
 * (全部 / 本月未访 / 从未走访 / 结对户) and the search box filter the rows in place, and a
 * long list shows a page of rows at a time with 显示更多. Without JavaScript the same chips
 * and search are links and a form that the server answers (apps/grids/views.py). */
"use strict";

(function () {
  const list = document.getElementById("households");
  if (!list) return;
  const rows = Array.from(list.querySelectorAll("li[data-household]"));
  const chips = Array.from(document.querySelectorAll("#household-filters a[data-show]"));
  const form = document.getElementById("household-search");
  const input = document.getElementById("id_q");
  const more = document.getElementById("households-more");
  const empty = document.getElementById("households-empty");
  const pageSize = Number(list.dataset.pageSize) || 24;
  let show = (chips.find((c) => c.getAttribute("aria-current") === "true") || {}).dataset;
  show = show ? show.show : "all";
  let limit = pageSize;

  function matches(row, q) {
    const state = row.dataset.state;
    if (show === "due" && state === "done") return false;
    if (show === "never" && state !== "never") return false;
    if (show === "paired" && row.dataset.paired !== "1") return false;
    return !q || row.dataset.search.includes(q);
  }

  function apply() {
    const q = input.value.trim();
    let shown = 0;
    let matching = 0;
    for (const row of rows) {
      const ok = matches(row, q);
      if (ok) matching += 1;
      row.hidden = !ok || shown >= limit;
      if (ok && shown < limit) shown += 1;
    }
    for (const section of list.querySelectorAll("section.building")) {
      section.hidden = !section.querySelector("li[data-household]:not([hidden])");
    }
    more.hidden = matching <= shown;
    empty.hidden = matching > 0 || rows.length === 0;
  }

  for (const chip of chips) {
    chip.addEventListener("click", (event) => {
      event.preventDefault();
      show = chip.dataset.show;
      for (const c of chips) c.setAttribute("aria-current", c === chip ? "true" : "false");
      limit = pageSize;
      apply();
    });
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    limit = pageSize;
    apply();
  });
  input.addEventListener("input", () => {
    limit = pageSize;
    apply();
  });
  more.addEventListener("click", () => {
    limit += pageSize;
    apply();
  });
  apply();
})();
