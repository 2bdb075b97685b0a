// Form pieces shared by the network screens: a labelled field with a place for its error, and
// the API's 422/409 shown in place, next to the field it names (else in the form's status).
import { call } from "./api.js";
import { h, notice, t } from "./dom.js";

let nextId = 0;

// A unique element id for a control built more than once on a page (tree nodes, rows).
export function uniqueId(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// A .field: the label, the control (which must have an id), an optional hint and an error slot.
// The slot is announced (role=alert) and linked to the control by aria-describedby.
export function field(labelText, control, hint) {
  const errorSlot = h("p", { class: "field-error", id: `${control.id}-error`, role: "alert", hidden: true });
  const described = [hint ? `${control.id}-hint` : null, errorSlot.id].filter(Boolean).join(" ");
  control.setAttribute("aria-describedby", described);
  const el = h("div", { class: "field" }, h("label", { for: control.id }, labelText), control,
    hint ? h("small", { id: `${control.id}-hint` }, hint) : null, errorSlot);
  return { el, control, errorSlot };
}

// One checkbox with its label and an error slot, shaped as field() answers.
export function checkField(id, checked, labelText, attrs = {}) {
  const box = h("input", { type: "checkbox", id, checked: Boolean(checked), ...attrs });
  const errorSlot = h("p", { class: "field-error", role: "alert", hidden: true });
  return { el: h("div", { class: "check" }, box, h("label", { for: id }, labelText), errorSlot), control: box, errorSlot };
}

// A fieldset of checkboxes named `name`, one per value, labelled by label(value).
export function checkboxes(legend, name, values, checked, label) {
  const boxes = values.map((v) => h("input", { type: "checkbox", id: uniqueId(`${name}-${v}`), name, value: v,
    checked: checked.includes(v) }));
  const errorSlot = h("p", { class: "field-error", role: "alert", hidden: true });
  const el = h("fieldset", { class: "choices" }, h("legend", {}, legend),
    boxes.map((b) => h("div", { class: "check" }, b, h("label", { for: b.id }, label(b.value)))), errorSlot);
  return { el, control: boxes[0], errorSlot, values: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

// Clears every slot of `fields` (an object of field()/checkboxes() results) and the status.
export function clearErrors(fields, status) {
  for (const f of Object.values(fields)) {
    f.errorSlot.hidden = true;
    f.errorSlot.textContent = "";
  }
  status.replaceChildren();
}

// Shows `text` in `f`'s slot (and focuses its control).
export function showInSlot(f, text) {
  f.errorSlot.textContent = text;
  f.errorSlot.hidden = false;
  f.control?.focus();
}

// Shows the API error in the slot of the field it names (its first segment: "areas[1]" ->
// "areas"), or in `status` when no field of the form has that name.
export function showFieldError(fields, status, err, errorText) {
  const name = (err.field ?? "").split(/[.[]/)[0];
  const f = fields[name];
  if (f && err.message) showInSlot(f, err.message);
  else status.replaceChildren(notice(errorText(err), "error"));
}

// Sends `form.body()` (form: {fields, body}) as `method path` with `save` disabled meanwhile;
// answers the saved object, or null when the API's 422/409 was shown at the field it names
// (`fieldOf` maps the API's field name to the form's). Other errors are thrown.
export async function submitForm(method, path, form, status, save, errorText, fieldOf = (f) => f) {
  clearErrors(form.fields, status);
  save.disabled = true;
  try {
    return await call(method, path, form.body());
  } catch (err) {
    if (err.status !== 422 && err.status !== 409) throw err;
    err.field = fieldOf(err.field ?? "");
    showFieldError(form.fields, status, err, errorText);
    return null;
  } finally {
    save.disabled = false;
  }
}

// A button that asks once before `action` (inside `box`, which shows the question).
export function confirmButton(label, aria, question, yes, action, box, attrs = {}) {
  const button = h("button", { type: "button", class: "danger", "aria-label": aria, ...attrs }, label);
  button.addEventListener("click", () => {
    const sure = h("button", { type: "button", class: "danger", "data-action": `confirm-${attrs["data-action"]}` }, yes);
    const keep = h("button", { type: "button", class: "secondary" }, t("keepButton"));
    const ask = h("div", { class: "buttons confirm-row" }, h("p", {}, question), sure, keep);
    keep.addEventListener("click", () => { ask.remove(); button.focus(); });
    sure.addEventListener("click", async () => { sure.disabled = true; await action(); ask.remove(); });
    box.append(ask);
    sure.focus();
  });
  return button;
}
