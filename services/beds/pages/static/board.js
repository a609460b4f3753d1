/* Tonight's board: live over SSE, writes to the JSON API, and through a blackout a queue kept on
   this device: each write has its own Idempotency-Key from the moment it is made, so sending it
   again after a lost answer does nothing twice; what the server refuses on return is shown. */
(function () {
  "use strict";
  const S = window.Shelter;
  const site = document.body.dataset.site;
  const live = document.getElementById("live");
  const status = document.getElementById("connection");
  const QUEUE = "shelterbeds.queue." + site;
  const LAST = "shelterbeds.board." + site;
  let renderedAt = Date.now();
  let replaying = false;

  const queue = () => JSON.parse(localStorage.getItem(QUEUE) || "[]");
  function keep(items) { localStorage.setItem(QUEUE, JSON.stringify(items)); showQueue(); }

  function showQueue() {
    const box = document.getElementById("queue");
    const list = box.querySelector("ul");
    const items = queue();
    list.replaceChildren(...items.map((i) => S.item(i.label)));
    box.hidden = items.length === 0;
  }

  function refused(entry, response, problem) {
    const box = document.getElementById("refused");
    const reason = response.status === 409 ? S.t("taken") : response.status === 404 ? S.t("gone")
      : S.t("refused", { reason: (problem && problem.detail) || response.status });
    box.querySelector("ul").append(S.item(entry.label + " — " + reason, "alarm"));
    box.hidden = false;
  }

  function setOnline(online) {
    status.textContent = online ? S.t("live") : S.t("offline");
    status.classList.toggle("off", !online);
  }

  // A live update replaces the board: whoever works it with the keyboard keeps their place (the
  // same button, or the board itself when that button went with the change) instead of being
  // sent back to the top of the page.
  function focusKey(el) {
    const button = el && el.closest && el.closest("button[data-action]");
    return button && live.contains(button) ? [button.dataset.action, button.dataset.stay || button.dataset.hold || ""] : null;
  }

  function swap(html) {
    const focused = focusKey(document.activeElement);
    const inside = live.contains(document.activeElement);
    live.innerHTML = html;
    renderedAt = Date.now();
    countdown();
    if (!inside) return;
    const again = focused && Array.from(live.querySelectorAll("button[data-action]")).find(
      (b) => b.dataset.action === focused[0] && (b.dataset.stay || b.dataset.hold || "") === focused[1]);
    (again || live).focus();
  }

  async function send(entry) {
    const response = await S.call("POST", entry.url, entry.body, entry.key);
    if (!response.ok) {
      let problem = null;
      try { problem = await response.json(); } catch (e) { problem = null; }
      refused(entry, response, problem);
    }
    return response;
  }

  async function act(url, body, label) {
    const entry = { key: S.newKey(), url, body, label, at: Date.now() };
    if (!navigator.onLine) { keep([...queue(), entry]); return; }
    try { await send(entry); } catch (e) { keep([...queue(), entry]); setOnline(false); }
  }

  async function replay() {
    if (replaying || !navigator.onLine) return;
    replaying = true;
    try {
      for (const entry of queue()) {
        try { await send(entry); } catch (e) { return; }  // still offline: keep the rest
        keep(queue().filter((i) => i.key !== entry.key));
      }
    } finally { replaying = false; }
  }

  function countdown() {
    const passed = (Date.now() - renderedAt) / 1000;
    for (const el of live.querySelectorAll("[data-seconds-left]")) {
      const left = Number(el.dataset.secondsLeft) - passed;
      el.textContent = left > 0 ? S.t("minutes_left", { minutes: Math.floor(left / 60) }) : S.t("expired");
    }
  }

  live.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "checkout") act("/api/v1/stays/" + button.dataset.stay + "/checkout", {}, S.t("checkout"));
    if (action === "hold-checkin") act("/api/v1/holds/" + button.dataset.hold + "/checkin", {}, S.t("hold_checkin"));
    if (action === "cold-weather") act("/api/v1/sites/" + site + "/cold-weather", { on: button.dataset.on === "true" }, S.t("cold_weather"));
  });

  document.getElementById("checkin").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const party = { adults: Number(form.get("adults")), children: Number(form.get("children")), gender: form.get("gender") };
    act("/api/v1/sites/" + site + "/checkins", { party }, S.t("checkin", party));
  });
  document.getElementById("refused-clear").addEventListener("click", () => {
    const box = document.getElementById("refused");
    box.querySelector("ul").replaceChildren();
    box.hidden = true;
  });

  function follow() {
    const source = new EventSource("/board/" + site + "/live");
    source.addEventListener("board", (event) => {
      swap(event.data);
      localStorage.setItem(LAST, event.data);
      setOnline(true);
      replay();
    });
    source.addEventListener("error", () => setOnline(navigator.onLine && source.readyState === EventSource.OPEN));
  }

  window.addEventListener("online", () => { setOnline(true); replay(); });
  window.addEventListener("offline", () => setOnline(false));
  if (!navigator.onLine && localStorage.getItem(LAST)) swap(localStorage.getItem(LAST));
  setOnline(navigator.onLine);
  showQueue();
  follow();
  replay();
  setInterval(countdown, 10000);
  if ("serviceWorker" in navigator) {
    // This first load came before the worker: keep this board in its cache now, for a blackout.
    navigator.serviceWorker.register("/board/worker.js", { scope: "/board/" })
      .then(() => navigator.serviceWorker.ready)
      .then(() => caches.open(document.body.dataset.cache))
      .then((cache) => cache.add(location.pathname))
      .catch(() => undefined);
  }
})();
