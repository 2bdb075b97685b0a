// An organisation's webhook endpoints: listed (URL, events, state), added (the signing secret
// shown this once), the secret rotated (the new one shown once; the old one signs too for 24 h),
// removed after one confirmation, and each endpoint's deliveries (newest first) with a retry
// for a failed one (POST .../deliveries/{id}/retry: 202, the same webhook-id).
import { call } from "./api.js";
import { h, notice, shortTime, t } from "./dom.js";
import { checkboxes, confirmButton, field, showFieldError } from "./form.js";

export const EVENTS = ["alert.raised", "alert.updated", "alert.resolved", "alert.cancelled", "answer.recorded",
  "escalation.step", "case.ask"];

// The secret, once, in a read-only field to copy (`id`: the field's id).
function secretBox(secret, id) {
  const value = h("input", { id, type: "text", readonly: true, value: secret });
  return h("div", { class: "field" }, h("label", { for: value.id }, t("webhookSecretLabel")), value,
    h("small", {}, t("webhookSecretOnce")));
}

function deliveryRow(d, path, reload, status, errorText) {
  const what = t("deliveryRow", { type: d.type, alert: d.alert_id, state: t(`deliveryState_${d.state}`),
    attempts: d.attempts, time: shortTime(d.created_at) });
  const detail = [d.http_status ? `HTTP ${d.http_status}` : null, d.error_code].filter(Boolean).join(" · ");
  const row = h("li", { "data-delivery": d.id, "data-state": d.state }, what,
    detail ? h("span", { class: "audit-detail" }, detail) : null);
  if (d.state === "failed" && reload) {
    row.append(h("button", { type: "button", class: "secondary", "data-action": "retry",
      "aria-label": t("deliveryRetryLabel", { id: d.id }),
      onclick: async () => {
        try {
          await call("POST", `${path}/deliveries/${d.id}/retry`);
          status.replaceChildren(notice(t("deliveryRetried")));
          await reload();
        } catch (err) {
          status.replaceChildren(notice(errorText(err), "error"));
        }
      } }, t("deliveryRetry")));
  }
  return row;
}

export function webhooksCard(base, editable, errorText) {
  const list = h("ul", { class: "member-list", id: "webhook-list" });
  const status = h("div", { id: "webhook-status" });

  async function showDeliveries(w, box) {
    const path = `${base}/webhooks/${w.id}`;
    const reload = async () => {
      const page = await call("GET", `${path}/deliveries`);
      box.replaceChildren(h("h3", {}, t("deliveriesTitle")),
        page.deliveries.length
          ? h("ul", { class: "timeline" }, page.deliveries.map((d) => deliveryRow(d, path, editable ? reload : null, status, errorText)))
          : h("p", { class: "empty" }, t("deliveriesEmpty")));
    };
    try {
      await reload();
    } catch (err) {
      status.replaceChildren(notice(errorText(err), "error"));
    }
  }

  function row(w) {
    const path = `${base}/webhooks/${w.id}`;
    const shown = h("div", { class: "row-status" });
    const deliveries = h("div", { class: "deliveries" });
    const el = h("li", { class: `member-row status-${w.state === "active" ? "active" : "paused"}`, "data-webhook": w.id },
      h("span", { class: "member-name" }, w.url),
      h("span", { class: "member-meta" }, t("webhookRowMeta", { state: t(`webhookState_${w.state}`),
        events: w.events.join(", ") }), w.disabled_reason ? ` · ${w.disabled_reason}` : ""),
      shown,
      h("div", { class: "buttons" },
        h("button", { type: "button", class: "secondary", "data-action": "deliveries",
          "aria-label": t("deliveriesLabel", { url: w.url }), onclick: () => showDeliveries(w, deliveries) },
        t("deliveriesButton")),
        editable ? h("button", { type: "button", class: "secondary", "data-action": "rotate",
          "aria-label": t("webhookRotateLabel", { url: w.url }),
          onclick: async () => {
            try {
              const rotated = await call("POST", `${path}/rotate`);
              shown.replaceChildren(secretBox(rotated.secret, `webhook-secret-${w.id}`), notice(t("webhookRotated")));
              shown.querySelector("input").select();
            } catch (err) {
              shown.replaceChildren(notice(errorText(err), "error"));
            }
          } }, t("webhookRotate")) : null),
      deliveries);
    if (editable) {
      el.querySelector(".buttons").append(confirmButton(t("removeButton"), t("webhookRemoveLabel", { url: w.url }),
        t("webhookRemoveQuestion", { url: w.url }), t("removeConfirmButton"), async () => {
          try {
            await call("DELETE", path);
            await load();
          } catch (err) {
            status.replaceChildren(notice(errorText(err), "error"));
          }
        }, el, { "data-action": "remove" }));
    }
    return el;
  }

  async function load() {
    const hooks = (await call("GET", `${base}/webhooks`)).webhooks;
    list.replaceChildren(...hooks.map(row));
    if (!hooks.length) list.append(h("li", { class: "empty" }, t("webhooksEmpty")));
  }

  let form = null;
  if (editable) {
    const fields = {
      url: field(t("webhookUrlLabel"), h("input", { id: "webhook-url", type: "url", maxlength: "2000" }), t("webhookUrlHint")),
      events: checkboxes(t("webhookEventsLegend"), "webhook-events", EVENTS, EVENTS, (e) => e),
    };
    const added = h("div", { id: "webhook-added" });
    const add = h("button", { type: "submit", id: "webhook-add" }, t("webhookAddButton"));
    form = h("form", { novalidate: true }, h("h3", {}, t("webhookAddTitle")), fields.url.el, fields.events.el,
      h("div", { class: "buttons" }, add), added);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      for (const f of Object.values(fields)) f.errorSlot.hidden = true;
      added.replaceChildren();
      add.disabled = true;
      try {
        const made = await call("POST", `${base}/webhooks`, { url: fields.url.control.value.trim(),
          events: fields.events.values() });
        fields.url.control.value = "";
        await load();
        added.replaceChildren(secretBox(made.secret, "webhook-secret"));
        added.querySelector("input").select();
      } catch (err) {
        if (err.status === 422) showFieldError(fields, added, err, errorText);
        else added.replaceChildren(notice(errorText(err), "error"));
      } finally {
        add.disabled = false;
      }
    });
  }
  return { el: h("section", { class: "card" }, h("h2", {}, t("webhooksTitle")), h("p", {}, t("webhooksIntro")),
    list, status, form), load };
}
