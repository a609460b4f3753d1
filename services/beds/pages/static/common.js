/* Shared by the pages: translated texts, the CSRF header, an id for each write. */
(function () {
  "use strict";
  const texts = JSON.parse((document.getElementById("texts") || { textContent: "{}" }).textContent);
  const meta = document.querySelector('meta[name="csrf-token"]');
  function t(key, values) {
    let text = texts[key] || key;
    for (const [name, value] of Object.entries(values || {})) text = text.split("%(" + name + ")s").join(String(value));
    return text;
  }
  function newKey() {
    // crypto.getRandomValues works on plain HTTP too (randomUUID needs a secure context).
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function call(method, url, body, key) {
    const headers = { "x-csrftoken": meta ? meta.content : "" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (key) headers["idempotency-key"] = key;
    return fetch(url, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  }
  function item(text, cls) {
    const li = document.createElement("li");
    li.className = "row" + (cls ? " " + cls : "");
    li.textContent = text;
    return li;
  }
  window.Shelter = { t, newKey, call, item };
})();
