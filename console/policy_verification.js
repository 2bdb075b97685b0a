// A policy's verification of street reports (policies.js): whether a report of this kind is
// checked by verifiers near the place before its alert goes out, how many must confirm, how long
// they have, and what happens when nobody answers in time (the coordinators decide, it is sent,
// or it is dropped). GET shows the verification in force; body() is the policy's
// "verification" object, and the API's 422 ("verification.wait") is shown at its field.
import { h, t } from "./dom.js";
import { checkField, field, showInSlot } from "./form.js";

const ON_TIMEOUT = ["coordinators", "send", "drop"];

export function verificationCard(v, editable) {
  const fields = {
    required: checkField("verify-required", v.required, t("verifyRequiredLabel"), { disabled: !editable }),
    confirmations: field(t("verifyConfirmationsLabel"), h("input", { id: "verify-confirmations", type: "text",
      inputmode: "numeric", value: String(v.confirmations ?? 1), disabled: !editable })),
    wait: field(t("verifyWaitLabel"), h("input", { id: "verify-wait", type: "text", value: v.wait ?? "5m",
      disabled: !editable }), t("verifyWaitHint")),
    on_timeout: field(t("verifyOnTimeoutLabel"), h("select", { id: "verify-on-timeout", disabled: !editable },
      ON_TIMEOUT.map((o) => h("option", { value: o, selected: o === v.on_timeout }, t(`verifyOnTimeout_${o}`))))),
  };
  const el = h("div", { class: "card", id: "policy-verification" }, h("h2", {}, t("verifyTitle")),
    h("p", {}, t("verifyIntro")), Object.values(fields).map((f) => f.el));
  const body = () => {
    const n = fields.confirmations.control.value.trim();
    return { required: fields.required.control.checked, confirmations: /^\d+$/.test(n) ? Number(n) : n,
      wait: fields.wait.control.value.trim(), on_timeout: fields.on_timeout.control.value };
  };
  // Shows a 422 naming "verification.<key>" at its field; answers whether it did.
  const showError = (err) => {
    const m = /^verification\.(\w+)/.exec(err.field ?? "");
    const f = m ? fields[m[1]] : null;
    if (f) showInSlot(f, err.message);
    return Boolean(f);
  };
  const clear = () => { for (const f of Object.values(fields)) f.errorSlot.hidden = true; };
  return { el, body, showError, clear };
}
