// The phone tree editor: a nested list of nodes, each a member picked from the network's
// members, with an optional backup and children; the mode (automated or relay) and the wait.
// Save sends the API's flat form (PUT .../trees/{name}: every node listed once, depth first,
// with its children's member ids) and shows its 422 next to the node or field it names: the
// index in "nodes[2].member" or "nodes[0].children[1]" is mapped back to the nested node.
// A tree not found is a new one (one empty root).
import { call, networkPath, mayManage } from "./api.js";
import { fill, h, notice, t } from "./dom.js";
import { field, showInSlot, uniqueId } from "./form.js";
import { readAll } from "./members.js";

const MODES = ["automated", "relay"];

function newNode() {
  return { member: "", backup: "", children: [] };
}

// The API's flat nodes -> nested nodes (roots: listed nodes nobody names as a child).
function nested(spec) {
  const listed = new Map(spec.nodes.map((n) => [n.member, n]));
  const named = new Set(spec.nodes.flatMap((n) => n.children ?? []));
  const build = (id) => ({
    member: String(id),
    backup: listed.get(id)?.backup ? String(listed.get(id).backup) : "",
    children: (listed.get(id)?.children ?? []).map(build),
  });
  return spec.nodes.filter((n) => !named.has(n.member)).map((n) => build(n.member));
}

// Nested nodes -> the API's flat list, and the nested node behind each listed one.
function flat(roots) {
  const nodes = [];
  const behind = [];
  const visit = (node) => {
    const entry = { member: Number(node.member), children: node.children.map((c) => Number(c.member)) };
    if (node.backup) entry.backup = Number(node.backup);
    nodes.push(entry);
    behind.push(node);
    node.children.forEach(visit);
  };
  roots.forEach(visit);
  return { nodes, behind };
}

export async function render(main, { name, showError, errorText }) {
  const title = h("h1", { tabindex: "-1" }, t("treeTitle", { name }));
  let members = [];
  let tree = { mode: "automated", wait: "2m", roots: [newNode()] };
  let isNew = false;
  try {
    members = await readAll();
    const stored = await call("GET", networkPath(`/trees/${encodeURIComponent(name)}`));
    tree = { mode: stored.mode, wait: stored.wait, roots: nested(stored) };
  } catch (err) {
    if (err.status === 404) isNew = true;
    else {
      main.replaceChildren(title);
      showError(err);
      return;
    }
  }
  const nameOf = new Map(members.map((m) => [String(m.id), m.name ?? m.phone]));
  const editable = mayManage();
  const status = h("div", { id: "tree-status" });
  const slots = new Map();  // nested node -> { member, backup } field() results
  const mode = field(t("treeModeLabel"), h("select", { id: "tree-mode", disabled: !editable },
    MODES.map((m) => h("option", { value: m, selected: tree.mode === m }, t(`treeMode_${m}`)))), t("treeModeHint"));
  const wait = field(t("treeWaitLabel"), h("input", { id: "tree-wait", type: "text", value: tree.wait,
    disabled: !editable }), t("treeWaitHint"));
  const nodesBox = h("ul", { class: "tree-nodes", id: "tree-nodes" });

  function memberSelect(value, empty, onchange) {
    const select = h("select", { id: uniqueId("node"), disabled: !editable },
      h("option", { value: "" }, empty),
      members.map((m) => h("option", { value: String(m.id), selected: String(m.id) === value }, nameOf.get(String(m.id)))));
    select.addEventListener("change", () => onchange(select.value));
    return select;
  }

  function drawNode(node, siblings, path) {
    const who = () => nameOf.get(node.member) ?? t("treeNodeEmpty");
    const member = field(t("treeMemberLabel"), memberSelect(node.member, t("treePickMember"), (v) => { node.member = v; }));
    member.control.classList.add("node-member");
    const backup = field(t("treeBackupLabel"), memberSelect(node.backup, t("treeNoBackup"), (v) => { node.backup = v; }));
    backup.control.classList.add("node-backup");
    slots.set(node, { member, backup });
    const children = h("ul", { class: "tree-nodes" }, node.children.map((c, i) => drawNode(c, node.children, `${path}.${i}`)));
    const buttons = editable ? h("div", { class: "buttons" },
      h("button", { type: "button", class: "secondary", "data-action": "add-child",
        "aria-label": t("treeAddChildLabel", { name: who() }),
        onclick: () => { node.children.push(newNode()); draw(`${path}.${node.children.length - 1}`); } }, t("treeAddChild")),
      h("button", { type: "button", class: "danger", "data-action": "remove",
        "aria-label": t("treeRemoveLabel", { name: who() }),
        onclick: () => { siblings.splice(siblings.indexOf(node), 1); draw(); addRoot.focus(); } }, t("treeRemove"))) : null;
    return h("li", { class: "tree-node", "data-path": path },
      h("div", { class: "node-fields" }, member.el, backup.el, buttons), children);
  }

  // Draws the nodes again from `tree`; focuses the member of the node at `focusPath` if given.
  function draw(focusPath) {
    slots.clear();
    nodesBox.replaceChildren(...tree.roots.map((n, i) => drawNode(n, tree.roots, String(i))));
    if (focusPath) nodesBox.querySelector(`li[data-path="${focusPath}"] select`)?.focus();
  }

  // "member 5 has two nodes" -> "member 5 (Amira) has two nodes"
  const named = (message) => message.replace(/member (\d+)/g, (s, id) => (nameOf.has(id) ? `${s} (${nameOf.get(id)})` : s));

  function showInPlace(err, behind) {
    let m;
    if ((m = /^nodes\[(\d+)\]\.children\[(\d+)\]/.exec(err.field)) && behind[m[1]]?.children[m[2]]) {
      showInSlot(slots.get(behind[m[1]].children[m[2]]).member, named(err.message));
    } else if ((m = /^nodes\[(\d+)\](?:\.(backup))?/.exec(err.field)) && behind[m[1]]) {
      showInSlot(slots.get(behind[m[1]])[m[2] ?? "member"], named(err.message));
    } else if (err.field === "mode" || err.field === "wait") {
      showInSlot(err.field === "mode" ? mode : wait, err.message);
    } else {
      status.replaceChildren(notice(errorText({ ...err, message: named(err.message) }), "error"));
    }
  }

  const save = h("button", { type: "submit", id: "tree-save" }, t("saveButton"));
  const addRoot = h("button", { type: "button", class: "secondary", id: "tree-add-root" }, t("treeAddRoot"));
  addRoot.addEventListener("click", () => { tree.roots.push(newNode()); draw(String(tree.roots.length - 1)); });
  const form = h("form", { class: "card", novalidate: true }, mode.el, wait.el,
    h("h2", {}, t("treeNodesTitle")), nodesBox, status,
    editable ? h("div", { class: "buttons" }, addRoot, save) : null);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    draw();
    status.replaceChildren();
    tree.mode = mode.control.value;
    tree.wait = wait.control.value.trim();
    const { nodes, behind } = flat(tree.roots);
    save.disabled = true;
    try {
      const stored = await call("PUT", networkPath(`/trees/${encodeURIComponent(name)}`),
        { mode: tree.mode, wait: tree.wait, nodes });
      tree = { mode: stored.mode, wait: stored.wait, roots: nested(stored) };
      draw();
      status.replaceChildren(notice(t("treeSaved", { name, count: nodes.length })));
    } catch (err) {
      if (err.status === 422) showInPlace(err, behind);
      else status.replaceChildren(notice(errorText(err), "error"));
    } finally {
      save.disabled = false;
    }
  });

  draw();
  fill(main, title, isNew ? h("p", {}, t("treeIsNew")) : null, form,
    h("p", {}, h("a", { href: "#/trees" }, t("treesBack"))));
}
