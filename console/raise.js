// The raise screen: kind, areas (the network's), location, details, neighbours, the deadline of a
// removal; the audience preview (POST .../alerts/preview: nothing stored, nothing sent); one
// confirmation; then the raise, sent with an Idempotency-Key made for this confirmation, so a
// double tap or a retry after a dropped connection raises one alert.
import { call, networkPath } from "./api.js";
import { h, notice, t } from "./dom.js";

const KINDS = ["raid", "detention", "removal", "other"];

function randomKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function render(main, { showError, errorText }) {
  let areas = [];
  try {
    areas = (await call("GET", networkPath("/areas"))).areas;
  } catch (err) {
    showError(err);
  }
  const status = h("div", { id: "raise-status" });
  const kind = h("select", { id: "kind", name: "kind" },
    KINDS.map((k) => h("option", { value: k }, t(`kind_${k}`))));
  const areaBoxes = areas.map((a, i) => h("input", { type: "checkbox", id: `area-${i}`, name: "areas", value: a.name }));
  const areaField = h("fieldset", { class: "areas" }, h("legend", {}, t("areasLegend")),
    areas.length ? areas.map((a, i) => h("div", { class: "check" }, areaBoxes[i], h("label", { for: `area-${i}` }, a.name)))
      : h("p", {}, t("areasNone")));
  const place = h("input", { id: "location", name: "location", type: "text", maxlength: "200", required: true,
    "aria-describedby": "location-hint" });
  const details = h("textarea", { id: "details", name: "details", maxlength: "500", rows: "3" });
  const neighbours = h("input", { type: "checkbox", id: "neighbours", name: "neighbours" });
  const deadline = h("input", { type: "datetime-local", id: "deadline", name: "deadline" });
  const deadlineField = h("div", { class: "field", hidden: true },
    h("label", { for: "deadline" }, t("deadlineLabel")), deadline);
  const preview = h("section", { id: "preview", "aria-live": "polite", class: "preview", hidden: true });
  const previewButton = h("button", { type: "button", class: "secondary", id: "preview-button" }, t("previewButton"));
  const next = h("button", { type: "submit", id: "raise-next" }, t("navRaise"));
  const form = h("form", { class: "card", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "kind" }, t("kindLabel")), kind),
    areaField,
    h("div", { class: "field" }, h("label", { for: "location" }, t("locationLabel")), place,
      h("small", { id: "location-hint" }, t("locationHint"))),
    h("div", { class: "field" }, h("label", { for: "details" }, t("detailsLabel")), details),
    h("div", { class: "check" }, neighbours, h("label", { for: "neighbours" }, t("neighboursLabel"))),
    deadlineField, previewButton, preview, h("div", { class: "buttons" }, next));
  const confirmBox = h("section", { class: "card confirm", id: "confirm", hidden: true });

  kind.addEventListener("change", () => { deadlineField.hidden = kind.value !== "removal"; });

  function body() {
    const b = {
      kind: kind.value,
      areas: areaBoxes.filter((c) => c.checked).map((c) => c.value),
      location: place.value.trim(),
      audience: { include_neighbours: neighbours.checked },
    };
    if (details.value.trim()) b.details = details.value.trim();
    if (kind.value === "removal" && deadline.value) b.deadline = new Date(deadline.value).toISOString();
    return b;
  }

  async function showPreview(b) {
    preview.hidden = false;
    preview.replaceChildren(h("p", {}, t("loading")));
    try {
      const p = await call("POST", networkPath("/alerts/preview"), b);
      preview.replaceChildren(
        h("h2", {}, t("previewTitle")),
        h("p", { id: "preview-recipients" }, p.recipients ? t("previewLine", { recipients: p.recipients }) : t("previewNobody")),
        h("ul", {}, Object.entries(p.by_area).map(([area, count]) => h("li", {}, t("previewArea", { area, count })))),
        h("p", {}, t(p.neighbours_included ? "previewNeighboursIncluded" : "previewNeighbours", { count: p.neighbours })));
      return true;
    } catch (err) {
      if (err.status === 422) {
        preview.hidden = true;
        status.replaceChildren(notice(errorText(err), "error"));
        focusField(err.field);
        return false;
      }
      preview.replaceChildren(notice(t("previewUnavailable")));
      return true;
    }
  }

  function focusField(field) {
    const el = { kind, areas: areaBoxes[0], location: place, details, deadline }[field?.split(".")[0]];
    el?.focus();
  }

  previewButton.addEventListener("click", () => {
    status.replaceChildren();
    showPreview(body());
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    status.replaceChildren();
    const b = body();
    if (!(await showPreview(b))) return;
    // One key for this confirmation: every tap and retry of it raises at most one alert.
    const key = randomKey();
    const yes = h("button", { type: "button", id: "confirm-send" }, t("confirmButton"));
    const back = h("button", { type: "button", class: "secondary" }, t("backButton"));
    const confirmStatus = h("div", {});
    confirmBox.replaceChildren(h("h2", { tabindex: "-1" }, t("confirmQuestion")),
      h("p", { class: "summary" }, t("confirmSummary", { kind: t(`kind_${b.kind}`), areas: b.areas.join(", "), location: b.location })),
      preview.cloneNode(true), confirmStatus, h("div", { class: "buttons" }, yes, back));
    confirmBox.querySelector("#preview")?.removeAttribute("id");
    confirmBox.querySelector("#preview-recipients")?.removeAttribute("id");
    form.hidden = true;
    confirmBox.hidden = false;
    confirmBox.querySelector("h2").focus();
    back.addEventListener("click", () => {
      confirmBox.hidden = true;
      form.hidden = false;
      next.focus();
    });
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      back.disabled = true;
      confirmStatus.replaceChildren(notice(t("sending")));
      try {
        const raised = await call("POST", networkPath("/alerts"), b, { "Idempotency-Key": key });
        location.hash = `#/alerts/${raised.id}`;
      } catch (err) {
        confirmStatus.replaceChildren(notice(errorText(err), "error"));
        yes.disabled = false;  // a retry sends the same key: still one alert at most
        back.disabled = false;
      }
    });
  });

  main.replaceChildren(h("h1", { tabindex: "-1" }, t("raiseTitle")), status, form, confirmBox);
}
