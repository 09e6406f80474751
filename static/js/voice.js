/* Voice input (语音输入) for free text, where the browser has speech recognition (the Web
 * Speech API; Chrome and most Android browsers): every <textarea> (and any field marked
 * data-voice) gets a button that dictates into it, in the page's language. Browsers without
 * it show no button: typing works as before. `data-voice="off"` opts a field out. */
"use strict";

(function () {
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (!Recognition) return;
  const body = document.body.dataset;
  const lang = document.documentElement.lang === "en" ? "en-US" : "zh-CN";
  const fields = document.querySelectorAll("textarea:not([data-voice=off]), input[data-voice]");

  function attach(field) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "voice";
    button.setAttribute("aria-pressed", "false");
    const label = document.createElement("span");
    label.textContent = body.voiceStart || "语音输入";
    if (body.icons) {
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("class", "icon");
      svg.setAttribute("aria-hidden", "true");
      const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
      use.setAttribute("href", `${body.icons}#mic`);
      svg.append(use);
      button.append(svg);
    }
    button.append(label);
    if (field.id) button.setAttribute("aria-controls", field.id);
    let running = null;

    button.addEventListener("click", () => {
      if (running) {
        running.stop();
        return;
      }
      const rec = new Recognition();
      rec.lang = lang;
      rec.interimResults = false;
      rec.maxAlternatives = 1;
      rec.addEventListener("result", (event) => {
        const text = Array.from(event.results).map((r) => r[0].transcript).join("");
        const sep = field.value && !/\s$/.test(field.value) ? " " : "";
        field.value = (field.value + sep + text).slice(0, field.maxLength > 0 ? field.maxLength : undefined);
        field.dispatchEvent(new Event("input", { bubbles: true }));
      });
      rec.addEventListener("end", () => {
        running = null;
        button.setAttribute("aria-pressed", "false");
        label.textContent = body.voiceStart || "语音输入";
      });
      rec.addEventListener("error", () => rec.abort());
      running = rec;
      button.setAttribute("aria-pressed", "true");
      label.textContent = body.voiceStop || "停止";
      rec.start();
    });
    field.insertAdjacentElement("afterend", button);
  }

  fields.forEach(attach);
})();
