// One organisation (#/organisations/<id>): its details (PATCH; DELETE after one confirmation,
// the API's 409 shown when a policy names it), its webhooks (org_webhooks.js), its email contact
// points (added, listed, removed) and, for admins, an integration token that answers alerts for
// it (POST .../tokens {"role": "integration", "organisation": slug}; shown once).
import { call, networkPath, mayManage, session } from "./api.js";
import { fill, h, notice, t } from "./dom.js";
import { confirmButton, field, showInSlot, submitForm } from "./form.js";
import { orgFields } from "./organisations.js";
import { webhooksCard } from "./org_webhooks.js";

function emailsCard(base, editable, errorText) {
  const list = h("ul", { class: "tree-list", id: "email-list" });
  const status = h("div", { id: "email-status" });
  async function load() {
    const emails = (await call("GET", `${base}/emails`)).emails;
    list.replaceChildren(...emails.map((e) => {
      const row = h("li", { "data-email": e.id }, e.address, " ");
      if (editable) {
        row.append(confirmButton(t("removeButton"), t("emailRemoveLabel", { address: e.address }),
          t("emailRemoveQuestion", { address: e.address }), t("removeConfirmButton"), async () => {
            try {
              await call("DELETE", `${base}/emails/${e.id}`);
              await load();
            } catch (err) {
              status.replaceChildren(notice(errorText(err), "error"));
            }
          }, row, { "data-action": "remove" }));
      }
      return row;
    }));
    if (!emails.length) list.append(h("li", { class: "empty" }, t("emailsEmpty")));
  }
  const address = field(t("emailAddressLabel"), h("input", { id: "email-address", type: "email", maxlength: "254" }));
  const add = h("button", { type: "submit", id: "email-add" }, t("emailAddButton"));
  const form = editable ? h("form", { novalidate: true }, address.el, h("div", { class: "buttons" }, add)) : null;
  form?.addEventListener("submit", async (e) => {
    e.preventDefault();
    status.replaceChildren();
    address.errorSlot.hidden = true;
    try {
      await call("POST", `${base}/emails`, { address: address.control.value.trim() });
      address.control.value = "";
      await load();
      status.replaceChildren(notice(t("emailAdded")));
    } catch (err) {
      if (err.status === 422 && err.field === "address") showInSlot(address, err.message);
      else status.replaceChildren(notice(errorText(err), "error"));
    }
  });
  return { el: h("section", { class: "card" }, h("h2", {}, t("emailsTitle")), h("p", {}, t("emailsIntro")),
    list, form, status), load };
}

function tokenCard(org, errorText) {
  const label = field(t("tokenLabelLabel"), h("input", { id: "org-token-label", type: "text", maxlength: "100",
    value: org.slug }));
  const status = h("div", { id: "org-token-status" });
  const make = h("button", { type: "submit", id: "org-token-create" }, t("tokenCreateButton"));
  const form = h("form", { class: "card", novalidate: true }, h("h2", {}, t("orgTokenTitle")),
    h("p", {}, t("orgTokenIntro")), label.el, h("div", { class: "buttons" }, make), status);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    make.disabled = true;
    try {
      const made = await call("POST", networkPath("/tokens"),
        { role: "integration", label: label.control.value.trim(), organisation: org.slug });
      const value = h("input", { id: "org-token-value", type: "text", readonly: true, value: made.token });
      status.replaceChildren(h("div", { class: "field" }, h("label", { for: value.id }, t("tokenValueLabel")), value,
        h("small", {}, t("tokenShownOnce"))));
      value.select();
    } catch (err) {
      status.replaceChildren(notice(errorText(err), "error"));
    } finally {
      make.disabled = false;
    }
  });
  return form;
}

export async function render(main, { id, showError, errorText }) {
  const base = networkPath(`/organisations/${encodeURIComponent(id)}`);
  let org;
  try {
    org = await call("GET", base);
  } catch (err) {
    main.replaceChildren(h("h1", { tabindex: "-1" }, t("orgsTitle")));
    showError(err);
    return;
  }
  const editable = mayManage();
  const title = h("h1", { tabindex: "-1" }, org.name);
  const form = orgFields(org);
  for (const f of Object.values(form.fields)) f.el.querySelectorAll("input").forEach((i) => { i.disabled = !editable; });
  const status = h("div", { id: "org-status" });
  const save = h("button", { type: "submit", id: "org-save" }, t("saveButton"));
  const details = h("form", { class: "card", novalidate: true }, h("h2", {}, t("orgDetailsTitle")), form.els, status,
    editable ? h("div", { class: "buttons" }, save) : null);
  details.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const saved = await submitForm("PATCH", base, form, status, save, errorText);
      if (saved) {
        org = saved;
        title.textContent = saved.name;
        status.replaceChildren(notice(t("orgSaved", { name: saved.name })));
      }
    } catch (err) {
      showError(err);
    }
  });
  if (editable) {
    details.append(confirmButton(t("deleteButton"), t("orgDeleteLabel", { name: org.name }),
      t("orgDeleteQuestion", { name: org.name }), t("deleteConfirmButton"), async () => {
        try {
          await call("DELETE", base);
          location.hash = "#/organisations";
        } catch (err) {
          status.replaceChildren(notice(errorText(err), "error"));
        }
      }, details, { "data-action": "delete", id: "org-delete" }));
  }
  const webhooks = webhooksCard(base, editable, errorText);
  const emails = emailsCard(base, editable, errorText);
  try {
    await Promise.all([webhooks.load(), emails.load()]);
  } catch (err) {
    showError(err);
  }
  fill(main, title, h("p", { class: "meta" }, org.slug), details, webhooks.el, emails.el,
    session.role === "admin" ? tokenCard(org, errorText) : null,
    h("p", {}, h("a", { href: "#/organisations" }, t("orgsBack"))));
}
