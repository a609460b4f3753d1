/* Find and hold on a phone: nearest fitting places, a hold with its countdown, extend, cancel,
   a referral when nothing is free. The last answer is kept with its age for when the network
   drops; the hold is kept too, so a reload still shows it. */
(function () {
  "use strict";
  const S = window.Shelter;
  const $ = (id) => document.getElementById(id);
  const LAST = "shelterbeds.patrol.answer";
  const HOLD = "shelterbeds.patrol.hold";
  const REFERRAL = "shelterbeds.patrol.referral";
  let hold = JSON.parse(localStorage.getItem(HOLD) || "null");

  function party() {
    return { adults: Number($("adults").value), children: Number($("children").value), gender: $("gender").value };
  }
  function needs() { return { accessible: $("accessible").checked, pet: $("pet").checked }; }
  function problem(text) { $("problem").textContent = text || ""; }

  async function refusal(response) {
    try { const p = await response.json(); return S.t("refused", { reason: p.detail || response.status }); }
    catch (e) { return S.t("refused", { reason: response.status }); }
  }

  function showPlaces(answer) {
    const list = $("places");
    list.replaceChildren();
    for (const place of answer.places) {
      const li = S.item("", "");
      const what = document.createElement("span");
      what.className = "what";
      what.textContent = place.name + " · " + S.t("km", { km: place.distance_km.toFixed(1) });
      const free = document.createElement("span");
      free.textContent = S.t("free", { beds: place.free_beds, mats: place.free_mats });
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = S.t("hold");
      button.dataset.site = place.site_id;
      button.dataset.name = place.name;
      li.append(what, free, button);
      list.append(li);
    }
    $("referral").hidden = answer.places.length > 0;
    $("referral-why").textContent = answer.places.length ? "" : S.t("none_found");
  }

  function showAge() {
    const answer = JSON.parse(localStorage.getItem(LAST) || "null");
    if (!answer) return;
    const minutes = Math.floor((Date.now() - answer.at) / 60000);
    $("answer-age").textContent = navigator.onLine && minutes < 1 ? S.t("answer_now") : S.t("answer_age", { minutes });
  }

  async function find(event) {
    event.preventDefault();
    problem("");
    const p = party(), n = needs();
    const query = new URLSearchParams({ lat: $("lat").value, lon: $("lon").value, adults: p.adults, children: p.children,
      gender: p.gender, accessible: n.accessible, pet: n.pet, limit: 5 });
    try {
      const response = await fetch("/api/v1/availability?" + query, { credentials: "same-origin" });
      if (!response.ok) { problem(await refusal(response)); return; }
      const answer = { at: Date.now(), places: await response.json() };
      localStorage.setItem(LAST, JSON.stringify(answer));
      showPlaces(answer);
    } catch (e) {
      const kept = JSON.parse(localStorage.getItem(LAST) || "null");
      if (kept) showPlaces(kept);
      else problem(S.t("failed"));
    }
    showAge();
  }

  function showHold() {
    $("hold").hidden = !hold;
    if (!hold) return;
    $("hold-where").textContent = S.t("held_at", { name: hold.name });
    const left = (hold.endsAt - Date.now()) / 1000;
    $("hold-left").textContent = left > 0 ? S.t("minutes_left", { minutes: Math.floor(left / 60) }) : S.t("expired");
  }
  function keepHold(value) {
    hold = value;
    if (value) localStorage.setItem(HOLD, JSON.stringify(value)); else localStorage.removeItem(HOLD);
    showHold();
  }

  async function placeHold(site, name) {
    problem("");
    const body = { site_id: site, party: party(), needs: needs(), eta_minutes: Number($("eta").value) };
    try {
      const response = await S.call("POST", "/api/v1/holds", body, S.newKey());
      if (!response.ok) { problem(await refusal(response)); return; }
      const placed = await response.json();
      // The countdown runs on this phone's clock from the server's own span, so a wrong phone clock does not matter.
      const span = Date.parse(placed.expires_at) - Date.parse(placed.placed_at);
      keepHold({ id: placed.id, name, expiresAt: placed.expires_at, endsAt: Date.now() + span });
    } catch (e) { problem(S.t("failed")); }
  }

  async function extend() {
    try {
      const response = await S.call("POST", "/api/v1/holds/" + hold.id + "/extension", { minutes: 30 }, S.newKey());
      if (!response.ok) { problem(await refusal(response)); return; }
      const extended = await response.json();
      const more = Date.parse(extended.expires_at) - Date.parse(hold.expiresAt);
      keepHold({ ...hold, expiresAt: extended.expires_at, endsAt: hold.endsAt + more });
    } catch (e) { problem(S.t("failed")); }
  }

  async function cancel() {
    try {
      const response = await S.call("DELETE", "/api/v1/holds/" + hold.id, undefined, S.newKey());
      if (!response.ok && response.status !== 404) { problem(await refusal(response)); return; }
      keepHold(null);
    } catch (e) { problem(S.t("failed")); }
  }

  async function sendReferral() {
    const body = { source: document.body.dataset.source, party: party(), needs: needs(),
      location: { lat: Number($("lat").value), lon: Number($("lon").value) }, urgency: $("urgency").value };
    try {
      const response = await S.call("POST", "/pages/referrals", body, S.newKey());
      if (!response.ok) { problem(await refusal(response)); return; }
      const referral = await response.json();
      localStorage.setItem(REFERRAL, referral.id);
      showReferral(referral.status);
    } catch (e) { problem(S.t("failed")); }
  }
  function showReferral(status) {
    $("referral").hidden = false;
    $("referral-status").textContent = S.t("referral_status", { status: S.t("status_" + status) });
  }
  async function followReferral() {
    const id = localStorage.getItem(REFERRAL);
    if (!id || !navigator.onLine) return;
    try {
      const response = await fetch("/pages/referrals/" + id, { credentials: "same-origin" });
      if (response.ok) showReferral((await response.json()).status);
    } catch (e) { /* offline: the last status stays shown */ }
  }

  $("locate").addEventListener("click", () => {
    if (!navigator.geolocation) { problem(S.t("no_location")); return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => { $("lat").value = pos.coords.latitude.toFixed(5); $("lon").value = pos.coords.longitude.toFixed(5); },
      () => problem(S.t("no_location")), { timeout: 10000, maximumAge: 60000 });
  });
  $("find").addEventListener("submit", find);
  $("places").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-site]");
    if (button) placeHold(button.dataset.site, button.dataset.name);
  });
  $("extend").addEventListener("click", extend);
  $("cancel").addEventListener("click", cancel);
  $("send-referral").addEventListener("click", sendReferral);
  const kept = JSON.parse(localStorage.getItem(LAST) || "null");
  if (kept) { showPlaces(kept); showAge(); }
  showHold();
  followReferral();
  setInterval(() => { showHold(); showAge(); }, 15000);
  setInterval(followReferral, 5000);
})();
