// A held alert on the live page (live.js): one raised for more people than the network's
// approval rule allows waits (status pending_approval) for a second coordinator, who approves it
// here (POST .../approve: it starts as a raise would) or rejects it with an optional reason
// (POST .../reject: cancelled, nothing sent). The raiser's own token is refused (403): the
// API's words are shown. onDecided(alert) is called with the alert as the API answers it.
import { call } from "./api.js";
import { h, notice, t } from "./dom.js";

export function approvalCard(alertPath, onDecided, errorText) {
  const reason = h("textarea", { id: "reject-reason", rows: "2", maxlength: "480" });
  const status = h("div", { id: "approval-status" });
  const approve = h("button", { type: "button", id: "approve-button" }, t("approveButton"));
  const reject = h("button", { type: "button", id: "reject-button", class: "danger" }, t("rejectButton"));
  async function decide(action) {
    approve.disabled = true;
    reject.disabled = true;
    try {
      const body = action === "reject" && reason.value.trim() ? { reason: reason.value.trim() } : {};
      const alert = await call("POST", `${alertPath}/${action}`, body);
      el.hidden = true;
      await onDecided(alert);
    } catch (err) {
      status.replaceChildren(notice(errorText(err), "error"));
    } finally {
      approve.disabled = false;
      reject.disabled = false;
    }
  }
  approve.addEventListener("click", () => decide("approve"));
  reject.addEventListener("click", () => decide("reject"));
  const el = h("section", { class: "card", id: "approval" }, h("h2", {}, t("approvalTitle")),
    h("p", {}, t("approvalIntro")), h("label", { for: "reject-reason" }, t("rejectReasonLabel")), reason, status,
    h("div", { class: "buttons" }, approve, reject));
  return el;
}
