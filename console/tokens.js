// API tokens of the network (admin): the list (never a token itself), a new token shown once,
// and revoke after one confirmation (its sessions end with it). POST/GET/DELETE .../tokens.
import { call, networkPath } from "./api.js";
import { fill, h, notice, shortTime, t } from "./dom.js";
import { clearErrors, field, showFieldError } from "./form.js";

const ROLES = ["coordinator", "viewer", "admin", "integration", "metrics"];

export async function render(main, { showError, errorText }) {
  const list = h("ul", { class: "member-list", id: "token-list" });
  const shown = h("div", { id: "token-shown", "aria-live": "polite" });

  async function load() {
    try {
      const tokens = (await call("GET", networkPath("/tokens"))).tokens;
      list.replaceChildren(...tokens.map(row));
      if (!tokens.length) list.append(h("li", { class: "empty" }, t("tokensEmpty")));
    } catch (err) {
      showError(err);
    }
  }

  function row(tok) {
    const rowStatus = h("div", { class: "row-status" });
    const li = h("li", { class: `member-row ${tok.revoked_at ? "status-opted_out" : ""}`, "data-token": tok.id },
      h("span", { class: "member-name" }, tok.label || t("tokenNoLabel")),
      h("span", { class: "member-meta" }, t("tokenRowMeta", { role: t(`tokenRole_${tok.role}`), created: shortTime(tok.created_at),
        used: tok.last_used_at ? shortTime(tok.last_used_at) : t("tokenNeverUsed") })),
      h("span", { class: "member-status" }, tok.revoked_at ? t("tokenRevoked", { at: shortTime(tok.revoked_at) }) : t("tokenActive")),
      rowStatus);
    if (tok.revoked_at) return li;
    const revoke = h("button", { type: "button", class: "danger", "data-action": "revoke",
      "aria-label": t("revokeTokenLabel", { label: tok.label || tok.id }) }, t("revokeButton"));
    const actions = h("div", { class: "buttons" }, revoke);
    li.append(actions);
    revoke.addEventListener("click", () => {
      const yes = h("button", { type: "button", class: "danger", "data-action": "confirm-revoke" }, t("revokeConfirmButton"));
      const no = h("button", { type: "button", class: "secondary" }, t("keepButton"));
      actions.hidden = true;
      rowStatus.replaceChildren(h("div", { class: "buttons confirm-row", role: "group" },
        h("p", {}, t("revokeQuestion", { label: tok.label || tok.id })), yes, no));
      yes.focus();
      no.addEventListener("click", () => { rowStatus.replaceChildren(); actions.hidden = false; revoke.focus(); });
      yes.addEventListener("click", async () => {
        yes.disabled = true;
        try {
          await call("DELETE", networkPath(`/tokens/${tok.id}`));
          await load();
        } catch (err) {
          actions.hidden = false;
          rowStatus.replaceChildren(notice(errorText(err), "error"));
        }
      });
    });
    return li;
  }

  const status = h("div", {});
  const fields = {
    role: field(t("tokenRoleLabel"), h("select", { id: "token-role" },
      ROLES.map((r) => h("option", { value: r }, t(`tokenRole_${r}`))))),
    label: field(t("tokenLabelLabel"), h("input", { id: "token-label", type: "text", maxlength: "100" }), t("tokenLabelHint")),
  };
  const create = h("button", { type: "submit", id: "token-create" }, t("tokenCreateButton"));
  const form = h("form", { class: "card", novalidate: true }, h("h2", {}, t("tokenNewTitle")),
    fields.role.el, fields.label.el, status, h("div", { class: "buttons" }, create), shown);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(fields, status);
    shown.replaceChildren();
    create.disabled = true;
    try {
      const made = await call("POST", networkPath("/tokens"),
        { role: fields.role.control.value, label: fields.label.control.value.trim() });
      const value = h("input", { id: "token-value", type: "text", readonly: true, value: made.token,
        "aria-describedby": "token-once" });
      fill(shown, h("div", { class: "field" }, h("label", { for: "token-value" }, t("tokenValueLabel")), value,
        h("small", { id: "token-once" }, t("tokenShownOnce"))));
      value.select();
      fields.label.control.value = "";
      await load();
    } catch (err) {
      showFieldError(fields, status, err, errorText);
    } finally {
      create.disabled = false;
    }
  });

  main.replaceChildren(h("h1", { tabindex: "-1" }, t("tokensTitle")), form, list);
  await load();
}
