// The form that records an event of a case (case.js; POST .../cases/{id}/events), for
// coordinators: the type picks the one text field it has (detained: where; removal_directions:
// deadline and details; note: text; released, removal_cancelled, removed: none). A `detained`
// or `removal_directions` event raises the case's alert: a link to it follows. The API's 422 is
// shown at the field it names; once recorded, onRecorded() reads the timeline again.
import { call, networkPath } from "./api.js";
import { h, t } from "./dom.js";
import { clearErrors, field, showFieldError } from "./form.js";

export const TYPES = ["detained", "removal_directions", "released", "removal_cancelled", "removed", "note"];
// The text field each type has (the API's name for it), if any.
const TEXT_FIELD = { detained: "where", removal_directions: "details", note: "text" };

export function eventForm(id, onRecorded, { showError, errorText }) {
  const type = h("select", { id: "case-event-type" },
    TYPES.map((v) => h("option", { value: v }, t(`caseEvent_${v}`))));
  const fields = {
    type: field(t("caseEventTypeLabel"), type),
    where: field(t("caseEventWhereLabel"), h("input", { id: "case-event-where", type: "text", maxlength: "200" })),
    deadline: field(t("caseEventDeadlineLabel"), h("input", { id: "case-event-deadline", type: "datetime-local" }),
      t("caseEventDeadlineHint")),
    details: field(t("caseEventDetailsLabel"), h("input", { id: "case-event-details", type: "text", maxlength: "500" })),
    text: field(t("caseEventTextLabel"), h("textarea", { id: "case-event-text", rows: "3", maxlength: "1000" })),
  };
  const show = () => {
    const v = type.value;
    fields.where.el.hidden = TEXT_FIELD[v] !== "where";
    fields.details.el.hidden = TEXT_FIELD[v] !== "details";
    fields.deadline.el.hidden = v !== "removal_directions";
    fields.text.el.hidden = TEXT_FIELD[v] !== "text";
  };
  type.addEventListener("change", show);
  show();
  const status = h("div", { id: "case-event-status" });
  const save = h("button", { type: "submit", id: "case-event-save" }, t("caseEventButton"));
  const record = h("form", { class: "card", novalidate: true }, h("h2", {}, t("caseEventTitle")),
    Object.values(fields).map((f) => f.el), status, h("div", { class: "buttons" }, save));
  record.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(fields, status);
    const body = { type: type.value };
    const textField = TEXT_FIELD[type.value];
    if (textField) {
      const value = fields[textField].control.value.trim();
      if (value) body[textField] = value;
    }
    if (type.value === "removal_directions" && fields.deadline.control.value) {
      body.deadline = new Date(fields.deadline.control.value).toISOString();
    }
    save.disabled = true;
    try {
      const done = await call("POST", networkPath(`/cases/${id}/events`), body);
      status.replaceChildren(h("p", { class: "notice notice-info", role: "status" },
        t("caseEventRecorded", { type: t(`caseEvent_${done.type}`) }), " ",
        done.alert ? h("a", { href: `#/alerts/${done.alert.id}`, id: "case-alert-link" },
          done.alert.rescheduled ? t("caseAlertRescheduled") : t("caseAlertLink", { code: done.alert.code })) : null,
        done.schedule ? ` ${t("caseScheduleSet", { n: done.schedule })}` : null));
      for (const f of ["where", "details", "deadline", "text"]) fields[f].control.value = "";
      await onRecorded();
    } catch (err) {
      if (err.status === 422 || err.status === 409) showFieldError(fields, status, err, errorText);
      else showError(err);
    } finally {
      save.disabled = false;
    }
  });
  return record;
}
