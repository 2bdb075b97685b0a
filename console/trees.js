// The phone trees of the network (GET .../trees: names), each opening the editor
// (tree_editor.js); a coordinator names a new tree here and builds it there.
import { call, networkPath, mayManage } from "./api.js";
import { fill, h, notice, t } from "./dom.js";

// Tree names follow area names: letters, digits, '-', '_' (the API says so when not).
export async function render(main, { showError }) {
  let names = [];
  try {
    names = (await call("GET", networkPath("/trees"))).trees;
  } catch (err) {
    showError(err);
  }
  const list = h("ul", { class: "tree-list", id: "tree-list" },
    names.map((n) => h("li", {}, h("a", { href: `#/trees/${encodeURIComponent(n)}` }, n))));
  if (!names.length) list.append(h("li", { class: "empty" }, t("treesEmpty")));
  let create = null;
  if (mayManage()) {
    const name = h("input", { id: "tree-new-name", type: "text", maxlength: "64", required: true,
      "aria-describedby": "tree-new-hint" });
    const status = h("div", {});
    create = h("form", { class: "card", novalidate: true },
      h("h2", {}, t("treeNewTitle")),
      h("div", { class: "field" }, h("label", { for: "tree-new-name" }, t("treeNameLabel")), name,
        h("small", { id: "tree-new-hint" }, t("treeNameHint"))),
      status, h("div", { class: "buttons" }, h("button", { type: "submit", id: "tree-new" }, t("treeNewButton"))));
    create.addEventListener("submit", (e) => {
      e.preventDefault();
      const n = name.value.trim();
      if (!n) {
        status.replaceChildren(notice(t("treeNameNeeded"), "error"));
        name.focus();
        return;
      }
      location.hash = `#/trees/${encodeURIComponent(n)}`;
    });
  }
  fill(main, h("h1", { tabindex: "-1" }, t("treesTitle")), h("p", {}, t("treesIntro")), list, create);
}
