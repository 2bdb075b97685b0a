// The live alert's phone trees (GET .../alerts/{id}/tree): each tree the alert walks, as a
// nested list of its nodes coloured by state (pending, waiting, contacted, backup, reached,
// dead), with the member's name, how they were reached and the share of the tree reached.
// Hidden while the alert walks no tree; read again when the live page refreshes.
import { call } from "./api.js";
import { h, t } from "./dom.js";
import { readAll } from "./members.js";

export function treeSection(alertPath) {
  const box = h("div", { id: "live-trees" });
  const el = h("section", { "aria-labelledby": "trees-title", hidden: true },
    h("h2", { id: "trees-title" }, t("liveTreesTitle")), box);
  let names = null;  // member id -> name, read once the alert is known to walk a tree

  function nodeItem(n, byParent) {
    const who = names.get(n.member) ?? t("liveTreeMember", { id: n.member });
    const state = t(`treeState_${n.state}`);
    const via = n.via ? t("liveTreeVia", { via: t(`treeVia_${n.via}`) }) : "";
    const children = byParent.get(n.member) ?? [];
    return h("li", { class: `tree-state tree-state-${n.state}`, "data-member": n.member, "data-state": n.state },
      h("span", { class: "tree-state-mark", "aria-hidden": "true" }), `${who} · ${state}${via}`,
      children.length ? h("ul", {}, children.map((c) => nodeItem(c, byParent))) : null);
  }

  function runView(run) {
    const byParent = new Map();
    for (const n of run.nodes) {
      const key = n.parent ?? "root";
      byParent.set(key, [...(byParent.get(key) ?? []), n]);
    }
    return h("div", { class: "card", "data-tree": run.name },
      h("h3", {}, t("liveTreeTitle", { name: run.name, mode: t(`treeMode_${run.mode}`) })),
      h("p", { class: "meta" }, t("liveTreeReached", { reached: run.counts.reached ?? 0, total: run.total })),
      h("ul", { class: "live-tree" }, (byParent.get("root") ?? []).map((n) => nodeItem(n, byParent))));
  }

  async function load() {
    const { trees } = await call("GET", `${alertPath}/tree`);
    if (!trees.length) return;
    if (!names) names = new Map((await readAll()).map((m) => [m.id, m.name ?? t("unnamed")]));
    box.replaceChildren(...trees.map(runView));
    el.hidden = false;
  }
  return { el, load };
}
