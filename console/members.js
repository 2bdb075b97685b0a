// The members list: every member of the network (read page by page with the API's cursor; each
// read is audited by the server), searched by name through the API (GET .../members?name=, so
// the audit log holds only the members found), with pause/resume and delete
// (one confirmation) in each row and their errors (e.g. the 409 of a member who texted STOP)
// shown in that row. Phones are shown as the API gives them. CSV import: members_import.js.
import { call, networkPath, mayManage } from "./api.js";
import { fill, h, notice, t } from "./dom.js";
import * as importer from "./members_import.js";

// Every member of the network (or those whose name holds `name`), all pages (each page read is
// audited by the server).
export async function readAll(name) {
  const members = [];
  let cursor = null;
  do {
    const q = new URLSearchParams({ limit: "500" });
    if (name) q.set("name", name);
    if (cursor) q.set("cursor", cursor);
    const page = await call("GET", networkPath(`/members?${q}`));
    members.push(...page.members);
    cursor = page.next_cursor;
  } while (cursor);
  return members;
}

export async function render(main, ctx) {
  const { showError, errorText } = ctx;
  const search = h("input", { id: "member-search", type: "search", autocomplete: "off" });
  const list = h("ul", { class: "member-list", id: "member-list" });
  const count = h("p", { class: "meta", id: "member-count", role: "status" });
  let members = [];
  let found = null;  // the ids the API found for the search, or null without one
  let searches = 0;  // a search answered after a later one started is dropped
  let searchTimer = null;

  function draw() {
    const shown = found ? members.filter((m) => found.has(m.id)) : members;
    list.replaceChildren(...shown.map((m) => row(m)));
    if (!shown.length) list.append(h("li", { class: "empty" }, t(members.length ? "membersNoMatch" : "membersEmpty")));
    count.textContent = t("membersCount", { shown: shown.length, total: members.length });
  }

  async function load() {
    try {
      members = await readAll();
      await find();
    } catch (err) {
      showError(err);
    }
  }

  function row(m) {
    const rowStatus = h("div", { class: "row-status" });
    const actions = h("div", { class: "buttons" });
    const li = h("li", { class: `member-row status-${m.status}`, "data-member": m.id },
      h("span", { class: "member-name" }, m.name ?? t("unnamed")),
      h("span", { class: "member-meta" }, t("memberRowMeta", {
        phone: m.phone, areas: m.areas.join(", ") || "–", roles: m.roles.map((r) => t(`role_${r}`)).join(", "),
      })),
      h("span", { class: "member-status" }, t(`memberStatus_${m.status}`)),
      rowStatus, actions);
    if (!mayManage()) return li;
    const who = m.name ?? m.phone;
    const paused = m.status !== "active";
    const toggle = h("button", { type: "button", class: "secondary", "data-action": paused ? "resume" : "pause",
      "aria-label": t(paused ? "resumeMemberLabel" : "pauseMemberLabel", { name: who }) },
    t(paused ? "resumeButton" : "pauseButton"));
    const del = h("button", { type: "button", class: "danger", "data-action": "delete",
      "aria-label": t("deleteMemberLabel", { name: who }) }, t("deleteButton"));
    actions.append(h("a", { href: `#/members/${m.id}`, class: "button secondary", "aria-label": t("editMemberLabel", { name: who }) },
      t("editButton")), toggle, del);

    toggle.addEventListener("click", async () => {
      rowStatus.replaceChildren();
      toggle.disabled = true;
      try {
        const updated = await call("PATCH", networkPath(`/members/${m.id}`), { status: paused ? "active" : "paused" });
        members[members.indexOf(m)] = updated;
        li.replaceWith(row(updated));
      } catch (err) {
        rowStatus.replaceChildren(notice(err.status === 409 ? err.message : errorText(err), "error"));
        toggle.disabled = false;
        toggle.focus();
      }
    });

    del.addEventListener("click", () => {
      const yes = h("button", { type: "button", class: "danger", "data-action": "confirm-delete" }, t("deleteConfirmButton"));
      const no = h("button", { type: "button", class: "secondary" }, t("keepButton"));
      const question = h("div", { class: "buttons confirm-row", role: "group" },
        h("p", {}, t("deleteMemberQuestion", { name: who })), yes, no);
      actions.hidden = true;
      rowStatus.replaceChildren(question);
      yes.focus();
      no.addEventListener("click", () => {
        rowStatus.replaceChildren();
        actions.hidden = false;
        del.focus();
      });
      yes.addEventListener("click", async () => {
        yes.disabled = true;
        try {
          await call("DELETE", networkPath(`/members/${m.id}`));
          members = members.filter((x) => x !== m);
          draw();
          count.textContent = t("memberDeleted", { name: who });
          search.focus();
        } catch (err) {
          actions.hidden = false;
          rowStatus.replaceChildren(notice(err.status === 409 ? err.message : errorText(err), "error"));
        }
      });
    });
    return li;
  }

  async function find() {
    const needle = search.value.trim();
    const mine = ++searches;
    try {
      const ids = needle ? new Set((await readAll(needle)).map((m) => m.id)) : null;
      if (mine !== searches) return;
      found = ids;
      draw();
    } catch (err) {
      showError(err);
    }
  }
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(find, 250);
  });
  fill(main,
    h("div", { class: "title-row" }, h("h1", { tabindex: "-1" }, t("membersTitle")),
      mayManage() ? h("a", { href: "#/members/new", class: "button", id: "member-add" }, t("memberAddTitle")) : null),
    h("div", { class: "field" }, h("label", { for: "member-search" }, t("memberSearchLabel")), search),
    count, list,
    mayManage() ? importer.section({ errorText, onImported: load }) : null);
  await load();
}
