// A list the API pages with a cursor (alerts, reports): newest first, `status` from a filter,
// an "older" button while there is more.
import { call, networkPath } from "./api.js";
import { h } from "./dom.js";

// Returns load(reset): fills `list` with row(item) for the items under `key` of GET
// networkPath(path)?limit=50[&status=filter.value][&cursor=...]; `empty` when nothing is.
export function pager({ list, more, filter, path, key, row, empty, showError }) {
  let cursor = null;
  async function load(reset) {
    if (reset) {
      cursor = null;
      list.replaceChildren();
    }
    const q = new URLSearchParams({ limit: "50" });
    if (filter.value) q.set("status", filter.value);
    if (cursor) q.set("cursor", cursor);
    try {
      const page = await call("GET", networkPath(`${path}?${q}`));
      for (const item of page[key]) list.append(row(item));
      if (!list.children.length) list.append(h("li", { class: "empty" }, empty));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (err) {
      showError(err);
    }
  }
  filter.addEventListener("change", () => load(true));
  more.addEventListener("click", () => load(false));
  return load;
}
