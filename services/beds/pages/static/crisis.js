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

  $("dv-referral").addEventListener("submit", async (event) => {
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
