/* The claim sheet (心愿墙 and a wish's page): "我来认领" opens a bottom sheet that says what the
 * member commits to, and the claim is made by its "确认认领" (one more tap). Without this
 * script the same links open the claim page, which asks the same question. */
"use strict";

(function () {
  const sheet = document.getElementById("claim-sheet");
  if (!sheet || typeof sheet.showModal !== "function") return; // the link's page instead
  const form = sheet.querySelector("form");
  const wishLine = sheet.querySelector("[data-sheet-wish]");
  const asLine = sheet.querySelector("[data-sheet-as]");

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[data-claim-sheet]");
    if (!link) return;
    event.preventDefault();
    const card = link.closest("[data-wish]");
    if (card && card.dataset.liveState) return; // taken while the page was open (live.js)
    sheet.dataset.wish = card ? card.dataset.wish : "";
    const title = card && card.querySelector("h1, h2");
    form.action = link.getAttribute("href");
    form.elements.organisation.value = link.dataset.organisation || "";
    wishLine.textContent = title ? title.textContent.trim() : "";
    asLine.hidden = !link.dataset.as;
    asLine.textContent = link.dataset.as || "";
    sheet.showModal();
    sheet.querySelector("[data-sheet-confirm]").focus();
  });

  // The wish was taken by someone else while its sheet was open (live.js): close it.
  document.addEventListener("live:taken", (event) => {
    if (sheet.open && sheet.dataset.wish === String(event.detail.id)) sheet.close();
  });

  sheet.querySelector("[data-sheet-close]").addEventListener("click", () => sheet.close());
  // A tap on the backdrop (outside the sheet's box) closes it too.
  sheet.addEventListener("click", (event) => {
    if (event.target === sheet) sheet.close();
  });
  form.addEventListener("submit", () => {
    form.querySelector("[data-sheet-confirm]").disabled = true; // no double claim on a slow line
  });
})();
