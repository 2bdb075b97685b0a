// The alerts list: newest first, filtered by status, paged with the API's cursor.
import { mayManage } from "./api.js";
import { h, shortTime, t } from "./dom.js";
import { pager } from "./paged.js";

export async function render(main, { showError }) {
  const list = h("ul", { class: "alert-list", id: "alert-list" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("alertsMore"));
  const filter = h("select", { id: "alert-filter" },
    h("option", { value: "" }, t("filterAll")),
    h("option", { value: "open" }, t("filterOpen")),
    h("option", { value: "pending_approval" }, t("status_pending_approval")),
    h("option", { value: "verifying" }, t("status_verifying")),
    h("option", { value: "resolved" }, t("filterResolved")),
    h("option", { value: "cancelled" }, t("filterCancelled")));
  const load = pager({ list, more, filter, path: "/alerts", key: "alerts", row, empty: t("alertsEmpty"), showError });
  main.replaceChildren(
    h("div", { class: "title-row" },
      h("h1", { tabindex: "-1" }, t("alertsTitle")),
      mayManage() ? h("a", { href: "#/raise", class: "button" }, t("navRaise")) : null),
    h("div", { class: "field-inline" }, h("label", { for: "alert-filter" }, t("alertsFilterLabel")), filter),
    list, more);
  await load(true);
}

function row(a) {
  return h("li", { class: `alert-row status-${a.status}` },
    h("a", { href: `#/alerts/${a.id}` },
      h("span", { class: "alert-row-title" },
        t("alertRow", { kind: t(`kind_${a.kind}`), location: a.location })),
      h("span", { class: "alert-row-meta" }, t("alertRowMeta", {
        code: a.code, status: t(`status_${a.status}`), recipients: a.recipients, created: shortTime(a.created_at),
      }))));
}

