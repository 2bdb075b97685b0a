// Cases (#/cases): the people the network supports, by pseudonym, open ones first shown (a
// filter picks closed ones or all), each opening its page (case.js). Viewers see pseudonym,
// status, language and areas only, as the API gives them.
import { call, networkPath } from "./api.js";
import { h, shortTime, t } from "./dom.js";

export async function render(main, { showError }) {
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
    h("div", { class: "field-inline" }, h("label", { for: "case-filter" }, t("casesFilterLabel")), filter), list);
  await load();
}
