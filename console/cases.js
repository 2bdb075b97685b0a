// Cases (#/cases): the people the network supports, by pseudonym, open ones first shown (a
// filter picks closed ones or all), each opening its page (case.js); coordinators add a case
// here (POST .../cases, the form of case_form.js) and go on to its page to add its contacts.
// Viewers see pseudonym, status, language and areas only, as the API gives them.
import { call, mayManage, networkPath } from "./api.js";
import { h, shortTime, t } from "./dom.js";
import { caseFields, submitCase } from "./case_form.js";

function newCaseForm(showError, errorText) {
  const form = caseFields({ language: "", areas: [], public: false }, false);
  const status = h("div", { id: "case-form-status" });
  const save = h("button", { type: "submit", id: "case-save" }, t("caseAddButton"));
  const el = h("form", { class: "card", novalidate: true, id: "case-new" }, h("h2", {}, t("caseAddTitle")),
    h("p", {}, t("caseAddIntro")), form.els, status, h("div", { class: "buttons" }, save));
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const made = await submitCase("POST", networkPath("/cases"), form, status, save, errorText);
      if (made) location.hash = `#/cases/${made.id}`;
    } catch (err) {
      showError(err);
    }
  });
  return el;
}

export async function render(main, { showError, errorText }) {
  const list = h("ul", { class: "tree-list", id: "case-list" });
  const filter = h("select", { id: "case-filter" }, h("option", { value: "open", selected: true }, t("caseStatus_open")),
    h("option", { value: "closed" }, t("caseStatus_closed")), h("option", { value: "" }, t("filterAll")));

  async function load() {
    list.replaceChildren();
    const q = filter.value ? `?status=${filter.value}` : "";
    try {
      const { cases } = await call("GET", networkPath(`/cases${q}`));
      for (const c of cases) {
        list.append(h("li", { "data-case": c.id }, h("a", { href: `#/cases/${c.id}` }, c.pseudonym), " ",
          h("span", { class: "meta" }, t("caseRowMeta", { status: t(`caseStatus_${c.status}`),
            areas: c.areas.join(", ") || "–", updated: shortTime(c.updated_at) }))));
      }
      if (!cases.length) list.append(h("li", { class: "empty" }, t("casesEmpty")));
    } catch (err) {
      showError(err);
    }
  }

  filter.addEventListener("change", load);
  main.replaceChildren(h("h1", { tabindex: "-1" }, t("casesTitle")), h("p", {}, t("casesIntro")),
    h("div", { class: "field-inline" }, h("label", { for: "case-filter" }, t("casesFilterLabel")), filter), list,
    mayManage() ? newCaseForm(showError, errorText) : null);
  await load();
}
