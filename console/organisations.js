// Organisations (#/organisations): the list, each opening its page (organisation.js), and the
// form that adds one (POST .../organisations). orgFields() is the form shared with the edit:
// name, slug, the kinds and areas it is sent (none ticked / empty: every kind / area), language.
import { call, networkPath, mayManage } from "./api.js";
import { fill, h, t } from "./dom.js";
import { checkboxes, field, submitForm } from "./form.js";
import { KINDS } from "./policies.js";

const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);

// The form's fields for `org` (an API organisation or a blank one); body() reads them back as
// the API's JSON (kinds and areas null when none are given: every kind / area).
export function orgFields(org) {
  const fields = {
    name: field(t("orgNameLabel"), h("input", { id: "org-name", type: "text", value: org.name, maxlength: "200" })),
    slug: field(t("orgSlugLabel"), h("input", { id: "org-slug", type: "text", value: org.slug, maxlength: "64" }),
      t("orgSlugHint")),
    kinds: checkboxes(t("orgKindsLegend"), "org-kinds", KINDS, org.kinds ?? [], (k) => t(`kind_${k}`)),
    areas: field(t("orgAreasLabel"), h("input", { id: "org-areas", type: "text", value: (org.areas ?? []).join(", ") }),
      t("orgAreasHint")),
    language: field(t("languageLabel"), h("input", { id: "org-language", type: "text", value: org.language,
      maxlength: "8" }), t("languageHint")),
  };
  fields.kinds.el.append(h("small", {}, t("orgKindsHint")));
  const body = () => {
    const kinds = fields.kinds.values();
    const areas = list(fields.areas.control.value);
    return { name: fields.name.control.value.trim(), slug: fields.slug.control.value.trim(),
      kinds: kinds.length ? kinds : null, areas: areas.length ? areas : null,
      language: fields.language.control.value.trim() || "en" };
  };
  return { fields, body, els: Object.values(fields).map((f) => f.el) };
}

export async function render(main, { showError, errorText }) {
  let orgs = [];
  try {
    orgs = (await call("GET", networkPath("/organisations"))).organisations;
  } catch (err) {
    showError(err);
  }
  const rows = h("ul", { class: "tree-list", id: "org-list" }, orgs.map((o) => h("li", { "data-org": o.slug },
    h("a", { href: `#/organisations/${o.id}` }, o.name), " ",
    h("span", { class: "meta" }, t("orgRowMeta", { slug: o.slug,
      kinds: o.kinds ? o.kinds.map((k) => t(`kind_${k}`)).join(", ") : t("orgEveryKind"),
      areas: o.areas ? o.areas.join(", ") : t("orgEveryArea") })))));
  if (!orgs.length) rows.append(h("li", { class: "empty" }, t("orgsEmpty")));
  let add = null;
  if (mayManage()) {
    const form = orgFields({ name: "", slug: "", kinds: null, areas: null, language: "en" });
    const status = h("div", { id: "org-status" });
    const save = h("button", { type: "submit", id: "org-save" }, t("orgAddButton"));
    add = h("form", { class: "card", novalidate: true }, h("h2", {}, t("orgAddTitle")), form.els, status,
      h("div", { class: "buttons" }, save));
    add.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const made = await submitForm("POST", networkPath("/organisations"), form, status, save, errorText);
        if (made) location.hash = `#/organisations/${made.id}`;
      } catch (err) {
        showError(err);
      }
    });
  }
  fill(main, h("h1", { tabindex: "-1" }, t("orgsTitle")), h("p", {}, t("orgsIntro")), rows, add);
}
