// A case's contacts (case.js): each with its role and who it is, by name (an organisation, a
// member, or the campaign's phone tree), linked to their page; for coordinators, the form that
// adds one (POST .../cases/{id}/contacts {"role", and one of "organisation", "member", "tree"}):
// the role, then who (an organisation, a member, or for a campaign a phone tree), picked by name
// from the network's. The API's 422 is shown at the field it names.
import { call, networkPath } from "./api.js";
import { h, t } from "./dom.js";
import { field, submitForm } from "./form.js";
import { readAll } from "./members.js";

const ROLES = ["legal", "mp", "bail", "family", "campaign"];

// The network's organisations, members and trees, each as [{value, label}], for the pickers and
// for naming the contacts.
async function readChoices() {
  const [orgs, members, trees] = await Promise.all([
    call("GET", networkPath("/organisations")).then((r) => r.organisations),
    readAll(),
    call("GET", networkPath("/trees")).then((r) => r.trees),
  ]);
  return {
    organisation: orgs.map((o) => ({ value: o.id, label: o.name, href: `#/organisations/${o.id}` })),
    member: members.map((m) => ({ value: m.id, label: m.name || m.phone, href: `#/members/${m.id}` })),
    tree: trees.map((n) => ({ value: n, label: n, href: `#/trees/${encodeURIComponent(n)}` })),
  };
}

function kindOf(contact) {
  if (contact.organisation) return ["organisation", contact.organisation];
  if (contact.member) return ["member", contact.member];
  return ["tree", contact.tree];
}

function contactRow(contact, choices) {
  const [kind, value] = kindOf(contact);
  const found = choices[kind].find((c) => String(c.value) === String(value));
  const label = found ? found.label : t(`caseContact_${kind}`, { id: value });
  return h("li", { "data-contact": contact.id }, t(`caseRole_${contact.role}`), " · ",
    h("a", { href: found?.href ?? "#/cases" }, label), " ", h("span", { class: "meta" }, t(`caseContactKind_${kind}`)));
}

function addForm(caseId, choices, onAdded, errorText) {
  const role = h("select", { id: "contact-role" }, ROLES.map((r) => h("option", { value: r }, t(`caseRole_${r}`))));
  const kind = h("select", { id: "contact-kind" });
  const target = h("select", { id: "contact-target" });
  const fields = {
    role: field(t("caseContactRoleLabel"), role),
    kind: field(t("caseContactKindLabel"), kind),
    target: field(t("caseContactWhoLabel"), target),
  };
  const fillKinds = () => {
    const kinds = role.value === "campaign" ? ["organisation", "member", "tree"] : ["organisation", "member"];
    const was = kind.value;
    kind.replaceChildren(...kinds.map((k) => h("option", { value: k, selected: k === was }, t(`caseContactKind_${k}`))));
    fillTargets();
  };
  const fillTargets = () => {
    const options = choices[kind.value];
    target.replaceChildren(h("option", { value: "" }, t("caseContactPick")),
      ...options.map((c) => h("option", { value: String(c.value) }, c.label)));
  };
  role.addEventListener("change", fillKinds);
  kind.addEventListener("change", fillTargets);
  fillKinds();
  const status = h("div", { id: "contact-status" });
  const save = h("button", { type: "submit", id: "contact-add" }, t("caseContactAddButton"));
  const body = () => {
    const b = { role: role.value };
    if (target.value) b[kind.value] = kind.value === "tree" ? target.value : Number(target.value);
    return b;
  };
  const form = h("form", { class: "card", novalidate: true, id: "contact-form" }, h("h3", {}, t("caseContactAddTitle")),
    Object.values(fields).map((f) => f.el), status, h("div", { class: "buttons" }, save));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const added = await submitForm("POST", networkPath(`/cases/${caseId}/contacts`), { fields, body }, status, save,
        errorText, (f) => (["organisation", "member", "tree"].includes(f) ? "target" : f));
      if (added) {
        target.value = "";
        await onAdded();
      }
    } catch (err) {
      status.replaceChildren(h("p", { class: "notice notice-error", role: "alert" }, errorText(err)));
    }
  });
  return form;
}

// The contacts section: load() reads the case's contacts afresh (GET .../contacts).
export async function contactsSection(caseId, editable, errorText) {
  const choices = await readChoices();
  const list = h("ul", { class: "tree-list", id: "case-contacts" });
  async function load() {
    const { contacts } = await call("GET", networkPath(`/cases/${caseId}/contacts`));
    list.replaceChildren(...contacts.map((c) => contactRow(c, choices)));
    if (!contacts.length) list.append(h("li", { class: "empty" }, t("caseContactsEmpty")));
  }
  await load();
  return h("section", { "aria-labelledby": "case-contacts-title" },
    h("h2", { id: "case-contacts-title" }, t("caseContactsTitle")), list,
    editable ? addForm(caseId, choices, load, errorText) : null);
}
