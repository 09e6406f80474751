/* 代录: the resident picker follows the worker's typing. The search box's form (GET ?q=) works
 * without this script; with it, each pause in typing asks /api/wish-residents/ (scoped,
 * throttled, at most 10 residents, phones masked) and redraws the radio list in the wish form. */
"use strict";

(function () {
  const search = document.querySelector("form[data-picker-search]");
  const list = document.querySelector("[data-picker-results]");
  const status = document.querySelector("[data-picker-status]");
  if (!search || !list || !window.fetch) return;
  const input = search.elements.q;
  const endpoint = search.dataset.pickerSearch;
  // The texts come from the page (translated there): data-none, data-more, data-empty …
  const texts = status.dataset;
  let timer = null;
  let latest = 0;

  function item(row, checked) {
    const li = document.createElement("li");
    const label = document.createElement("label");
    const radio = document.createElement("input");
    radio.type = "radio";
    radio.name = "resident";
    radio.value = String(row.id);
    radio.required = true;
    radio.checked = checked;
    const text = document.createElement("span");
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = row.phone ? `${row.name} · ${row.phone.slice(-4)}` : row.name;
    const where = document.createElement("span");
    where.className = "where";
    where.textContent = row.address;
    text.append(who, where);
    label.append(radio, text);
    li.append(label);
    return li;
  }

  function draw(data) {
    const chosen = list.querySelector("input[name=resident]:checked");
    const keep = chosen ? chosen.closest("li") : null;
    const rows = data.results.filter((row) => !keep || String(row.id) !== chosen.value);
    list.replaceChildren(...(keep ? [keep] : []), ...rows.map((row) => item(row, false)));
    if (!keep && data.results.length === 1) list.querySelector("input").checked = true;
    if (!data.results.length) status.textContent = input.value.trim() ? texts.none : texts.empty;
    else if (data.more) status.textContent = texts.more;
    else status.textContent = texts.found.replace("{n}", data.results.length);
  }

  async function run() {
    const q = input.value.trim();
    const ticket = ++latest;
    if (!q) {
      draw({ results: [], more: false });
      return;
    }
    try {
      const response = await fetch(`${endpoint}?q=${encodeURIComponent(q)}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (ticket !== latest) return; // a later keystroke's answer wins
      if (response.status === 429) {
        status.textContent = texts.busy;
        return;
      }
      if (!response.ok) return;
      draw(await response.json());
    } catch (error) {
      // Offline or refused: the search box still submits the page's own search.
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
})();
