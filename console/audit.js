// The network's audit log (admin), newest first, paged with the API's cursor: who (a token id,
// never a token) did what to which record; details are ids and field names only.
import { call, networkPath } from "./api.js";
import { h, shortTime, t } from "./dom.js";

export async function render(main, { showError }) {
  const list = h("ol", { class: "timeline", id: "audit-list" });
  const more = h("button", { type: "button", class: "secondary", id: "audit-more", hidden: true }, t("auditMore"));
  let cursor = null;

  async function load() {
    const q = new URLSearchParams({ limit: "50" });
    if (cursor) q.set("cursor", cursor);
    try {
      const page = await call("GET", networkPath(`/audit?${q}`));
      for (const e of page.entries) {
        list.append(h("li", {}, h("time", { datetime: e.at }, shortTime(e.at)), " ",
          t("auditRow", { actor: e.actor, action: e.action, target: e.target }),
          e.detail && Object.keys(e.detail).length ? h("code", { class: "audit-detail" }, JSON.stringify(e.detail)) : null));
      }
      if (!list.children.length) list.append(h("li", { class: "empty" }, t("auditEmpty")));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (err) {
      showError(err);
    }
  }

  more.addEventListener("click", load);
  main.replaceChildren(h("h1", { tabindex: "-1" }, t("auditTitle")), h("p", {}, t("auditIntro")), list, more);
  await load();
}
