// Areas and neighbours: each area of the network (an area exists once a member is in it or it
// has neighbours) with its member count and neighbours; a coordinator ticks an area's
// neighbours and saves (PUT .../areas/{name}); the API keeps them symmetric, so the list is
// read again after each save.
import { call, networkPath, mayManage } from "./api.js";
import { h, notice, t } from "./dom.js";
import { uniqueId } from "./form.js";

export async function render(main, { showError, errorText }) {
  const list = h("div", { id: "area-list" });
  const status = h("div", { id: "areas-status", role: "status" });

  async function load() {
    let areas;
    try {
      areas = (await call("GET", networkPath("/areas"))).areas;
    } catch (err) {
      showError(err);
      return;
    }
    list.replaceChildren(...areas.map((a) => card(a, areas)));
    if (!areas.length) list.append(h("p", { class: "empty" }, t("areasNone")));
  }

  function card(area, areas) {
    const others = areas.filter((a) => a.name !== area.name);
    const summary = h("p", { class: "meta", "data-neighbours": area.name },
      t("areaNeighbours", { names: area.neighbours.join(", ") || t("areaNoNeighbours") }));
    const section = h("section", { class: "card area", "data-area": area.name },
      h("h2", {}, t("areaTitle", { name: area.name, members: area.members })), summary);
    if (!mayManage() || !others.length) return section;
    const boxes = others.map((o) => h("input", { type: "checkbox", id: uniqueId("neighbour"), value: o.name,
      checked: area.neighbours.includes(o.name) }));
    const save = h("button", { type: "submit", class: "secondary", "data-save": area.name }, t("saveNeighboursButton"));
    const cardStatus = h("div", { role: "status" });
    const form = h("form", { novalidate: true },
      h("fieldset", { class: "areas" }, h("legend", {}, t("neighboursLegend", { name: area.name })),
        boxes.map((b) => h("div", { class: "check" }, b, h("label", { for: b.id }, b.value)))),
      h("div", { class: "buttons" }, save), cardStatus);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      save.disabled = true;
      try {
        await call("PUT", networkPath(`/areas/${encodeURIComponent(area.name)}`),
          { neighbours: boxes.filter((b) => b.checked).map((b) => b.value) });
        await load();
        status.replaceChildren(notice(t("neighboursSaved", { name: area.name })));
      } catch (err) {
        cardStatus.replaceChildren(notice(errorText(err), "error"));
        save.disabled = false;
      }
    });
    section.append(form);
    return section;
  }

  main.replaceChildren(h("h1", { tabindex: "-1" }, t("areasTitle")), h("p", {}, t("areasIntro")), status, list);
  await load();
}
