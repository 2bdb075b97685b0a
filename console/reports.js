// The reports queue (#/reports): reports from the street, newest first, pending ones first shown
// (a filter picks the others), each with its code, kind, place, how many reported it and its
// timeline (opened on demand: GET .../reports/<id>). A coordinator confirms (the alert is raised
// at once: a link to it follows) or dismisses a pending report, each asked once.
import { call, networkPath, mayManage } from "./api.js";
import { h, notice, shortTime, t } from "./dom.js";
import { confirmButton } from "./form.js";
import { pager } from "./paged.js";

const STATUSES = ["pending", "confirmed", "dismissed", "merged", "awaiting_area"];

export async function render(main, { showError, errorText }) {
  const list = h("ul", { class: "alert-list", id: "report-list" });
  const status = h("div", { id: "report-status" });
  const more = h("button", { type: "button", class: "secondary", id: "report-more", hidden: true }, t("reportsMore"));
  const filter = h("select", { id: "report-filter" }, h("option", { value: "" }, t("filterAll")),
    STATUSES.map((s) => h("option", { value: s, selected: s === "pending" }, t(`report_${s}`))));
  async function decide(r, verb) {
    status.replaceChildren();
    try {
      const done = await call("POST", networkPath(`/reports/${r.id}/${verb}`));
      const alertId = done.alert?.id ?? done.alert_id;
      status.replaceChildren(h("p", { class: "notice notice-info", role: "status" },
        t(verb === "confirm" ? "reportConfirmed" : "reportDismissed", { code: r.code }), " ",
        verb === "confirm" && alertId ? h("a", { href: `#/alerts/${alertId}`, id: "report-alert-link" },
          t("reportOpenAlert")) : null));
      await load(true);
    } catch (err) {
      if (err.status === 409) status.replaceChildren(notice(errorText(err), "error"));
      else showError(err);
    }
  }

  // The report's timeline, read when its <details> first opens.
  function timeline(r) {
    const items = h("ol", { class: "timeline", id: `report-timeline-${r.id}` });
    const box = h("details", {}, h("summary", {}, t("reportTimeline")), items);
    box.addEventListener("toggle", async () => {
      if (!box.open || items.children.length) return;
      try {
        const full = await call("GET", networkPath(`/reports/${r.id}`));
        for (const e of full.timeline) {
          items.append(h("li", {}, h("time", { datetime: e.at }, shortTime(e.at)), " ",
            t(`reportEvent_${e.what}`, { count: e.count ?? "", actor: e.actor ?? "" })));
        }
      } catch (err) {
        showError(err);
      }
    });
    return box;
  }

  function row(r) {
    const actions = h("div", { class: "buttons" });
    if (r.status === "pending" && mayManage()) {
      actions.append(
        h("button", { type: "button", "data-action": "confirm", "aria-label": t("reportConfirmAria", { code: r.code }),
          onclick: () => decide(r, "confirm") }, t("reportConfirmButton")),
        confirmButton(t("reportDismissButton"), t("reportDismissAria", { code: r.code }),
          t("reportDismissQuestion", { code: r.code }), t("reportDismissYes"), () => decide(r, "dismiss"), actions,
          { "data-action": "dismiss" }));
    }
    return h("li", { class: `report-row card status-${r.status}`, "data-report": r.code },
      h("span", { class: "alert-row-title" }, t("reportRow", { kind: t(`kind_${r.kind}`),
        location: r.location, areas: r.areas.join(", ") })),
      h("span", { class: "alert-row-meta" }, t("reportRowMeta", { code: r.code, status: t(`report_${r.status}`),
        reporters: r.reporters, received: shortTime(r.received_at) })),
      r.details ? h("p", { class: "meta" }, r.details) : null,
      r.alert_id && r.status === "confirmed" ? h("a", { href: `#/alerts/${r.alert_id}` }, t("reportOpenAlert")) : null,
      timeline(r), actions);
  }

  const load = pager({ list, more, filter, path: "/reports", key: "reports", row, empty: t("reportsEmpty"), showError });
  main.replaceChildren(h("h1", { tabindex: "-1" }, t("reportsTitle")), h("p", {}, t("reportsIntro")),
    h("div", { class: "field-inline" }, h("label", { for: "report-filter" }, t("reportsFilterLabel")), filter),
    status, list, more);
  await load(true);
}
