// The case form, shared by the new case (cases.js: POST .../cases) and a case's details (case.js:
// PATCH .../cases/{id}): name, pseudonym, phone, Home Office reference, notes, language, areas,
// public, the consent dates (mp, legal) and, when editing, the status. body() reads it back as
// the API's JSON: creating leaves out what is empty; editing sends every field, an emptied
// phone, reference, notes or consent date as null (cleared). The API's 422 is shown at the
// field it names ("consent.mp" -> the MP consent's field).
import { h, t } from "./dom.js";
import { field, submitForm } from "./form.js";

const list = (text) => text.split(/[,;]/).map((s) => s.trim()).filter(Boolean);

function input(id, value, attrs = {}) {
  return h("input", { id, type: "text", value: value ?? "", ...attrs });
}

export function caseFields(kase, editing) {
  const consent = kase.consent ?? {};
  const fields = {
    name: field(t("caseNameLabel"), input("case-name", kase.name, { maxlength: "200" }), t("caseNameHint")),
    pseudonym: field(t("casePseudonymLabel"), input("case-pseudonym", kase.pseudonym, { maxlength: "100" }),
      t("casePseudonymHint")),
    phone: field(t("casePhoneLabel"), input("case-phone", kase.phone, { type: "tel", maxlength: "32" }),
      t("casePhoneHint")),
    home_office_ref: field(t("caseRefLabel"), input("case-ref", kase.home_office_ref, { maxlength: "100" })),
    notes: field(t("caseNotesLabel"), h("textarea", { id: "case-notes", rows: "3", maxlength: "4000" },
      kase.notes ?? "")),
    language: field(t("languageLabel"), input("case-language", kase.language, { maxlength: "8" }),
      t("caseLanguageHint")),
    areas: field(t("memberAreasLabel"), input("case-areas", (kase.areas ?? []).join(", ")), t("caseAreasHint")),
    public: field(t("casePublicLabel"), h("select", { id: "case-public" },
      h("option", { value: "false", selected: !kase.public }, t("casePublic_false")),
      h("option", { value: "true", selected: Boolean(kase.public) }, t("casePublic_true")))),
    mp: field(t("caseConsentMpLabel"), input("case-consent-mp", consent.mp, { type: "date" }), t("caseConsentHint")),
    legal: field(t("caseConsentLegalLabel"), input("case-consent-legal", consent.legal, { type: "date" }),
      t("caseConsentHint")),
  };
  if (editing) {
    fields.status = field(t("caseStatusLabel"), h("select", { id: "case-status" },
      ["open", "closed"].map((s) => h("option", { value: s, selected: kase.status === s }, t(`caseStatus_${s}`)))));
  }
  const value = (name) => fields[name].control.value.trim();
  const body = () => {
    const b = { name: value("name") };
    if (value("pseudonym")) b.pseudonym = value("pseudonym");
    for (const k of ["phone", "home_office_ref", "notes"]) {
      if (value(k)) b[k] = value(k);
      else if (editing) b[k] = null;
    }
    if (value("language")) b.language = value("language");
    b.areas = list(value("areas"));
    b.public = value("public") === "true";
    const c = {};
    for (const k of ["mp", "legal"]) {
      if (value(k)) c[k] = value(k);
      else if (editing) c[k] = null;
    }
    if (Object.keys(c).length) b.consent = c;
    if (editing) b.status = value("status");
    return b;
  };
  return { fields, body, els: Object.values(fields).map((f) => f.el) };
}

// Sends the form (form.js: submitForm); "consent.mp" in a 422 is this form's field `mp`.
export function submitCase(method, path, form, status, save, errorText) {
  return submitForm(method, path, form, status, save, errorText, (f) => f.replace(/^consent\./, ""));
}
