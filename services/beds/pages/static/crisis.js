/* The crisis team's referral for a family fleeing violence: sent to intake through beds' own
   origin, then its status followed. */
(function () {
  "use strict";
  const S = window.Shelter;
  const $ = (id) => document.getElementById(id);
  const status = (text) => { $("referral-status").textContent = text; };

  async function follow(id) {
    try {
      const response = await fetch("/pages/referrals/" + id, { credentials: "same-origin" });
      if (response.ok) status(S.t("referral_status", { status: S.t("status_" + (await response.json()).status) }));
    } catch (e) { /* offline: the last status stays */ }
  }

  async function answered(response, where) {
    if (response.ok) { location.reload(); return; }
    let reason = response.status;
    try { reason = (await response.json()).detail || reason; } catch (e) { /* not a problem document */ }
    where.textContent = S.t("refused", { reason: reason });
  }

  // A crisis team asks a supervisor for more days; the page reloads to show the request waiting.
  document.querySelectorAll("form.ask-extension").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const where = form.querySelector(".ask-status");
      const body = { days: Number(form.elements.days.value), reason: form.elements.reason.value };
      try {
        await answered(await S.call("POST", "/api/v1/stays/" + form.dataset.stay + "/extension-requests", body, S.newKey()), where);
      } catch (e) { where.textContent = S.t("failed"); }
    });
  });

  // A supervisor grants or refuses (a refusal needs a note: the server says so if it is missing).
  document.querySelectorAll("form.decide-extension").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const where = form.querySelector(".decide-status");
      const grant = event.submitter ? event.submitter.value === "yes" : true;
      const note = form.elements.note.value.trim();
      const body = note ? { grant: grant, note: note } : { grant: grant };
      try {
        await answered(await S.call("POST", "/api/v1/extension-requests/" + form.dataset.requestId + "/decision", body, S.newKey()), where);
      } catch (e) { where.textContent = S.t("failed"); }
    });
  });

  const referral = $("dv-referral");
  if (!referral) return;
  referral.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      source: "mobile_team",
      party: { adults: Number($("adults").value), children: Number($("children").value), gender: $("gender").value },
      needs: { accessible: false, pet: false, dv: true },
      location: { lat: Number($("lat").value), lon: Number($("lon").value) },
      urgency: $("urgency").value,
    };
    try {
      const response = await S.call("POST", "/pages/referrals", body, S.newKey());
      if (!response.ok) { status(S.t("refused", { reason: response.status })); return; }
      const referral = await response.json();
      status(S.t("referral_status", { status: S.t("status_" + referral.status) }));
      setInterval(() => follow(referral.id), 5000);
    } catch (e) { status(S.t("failed")); }
  });
})();
