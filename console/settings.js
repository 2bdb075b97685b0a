// The network's settings (#/settings, admin tokens): name, default language, retention, the
// HELP reply and the hotline's public message; the approval rule (a second coordinator from
// how many recipients, and for alerts naming every area); the disclosure (full or tiered, by
// default and per kind); who may report from the street and how reports merge. GET
// /v1/networks/{slug} reads them; Save PATCHes them all (approval null when off; disclosure's
// kinds replaced whole). The API's 422 ("approval.min_recipients") is shown at its field.
import { call, networkPath } from "./api.js";
import { fill, h, notice, t } from "./dom.js";
import { checkField, field, submitForm } from "./form.js";
import { KINDS } from "./policies.js";

const text = (id, value, attrs = {}) => h("input", { id, type: "text", value: value ?? "", ...attrs });
const choice = (id, values, value, label) => h("select", { id },
  values.map((v) => h("option", { value: v, selected: v === value }, label(v))));
const number = (v) => (/^\d+$/.test(v) ? Number(v) : v);

export async function render(main, { showError, errorText }) {
  let net;
  try {
    net = await call("GET", networkPath());
  } catch (err) {
    main.replaceChildren(h("h1", { tabindex: "-1" }, t("settingsTitle")));
    showError(err);
    return;
  }
  const approval = net.approval ?? {};
  const reports = net.reports ?? {};
  const kinds = net.disclosure?.kinds ?? {};
  const fields = {
    name: field(t("settingsNameLabel"), text("net-name", net.name, { maxlength: "200" })),
    default_language: field(t("settingsLanguageLabel"), text("net-language", net.default_language, { maxlength: "8" }),
      t("languageHint")),
    retention_days: field(t("settingsRetentionLabel"), text("net-retention", String(net.retention_days),
      { inputmode: "numeric" }), t("settingsRetentionHint")),
    help_text: field(t("settingsHelpLabel"), h("textarea", { id: "net-help", rows: "2", maxlength: "480" },
      net.help_text ?? ""), t("settingsHelpHint")),
    voice_message: field(t("settingsVoiceLabel"), h("textarea", { id: "net-voice", rows: "2", maxlength: "480" },
      net.voice_message ?? ""), t("settingsVoiceHint")),
    min_recipients: field(t("settingsApprovalMinLabel"), text("net-approval-min", approval.min_recipients != null
      ? String(approval.min_recipients) : "", { inputmode: "numeric" }), t("settingsApprovalMinHint")),
    all_areas: checkField("net-approval-all-areas", approval.all_areas, t("settingsApprovalAllAreasLabel")),
    disclosure: field(t("settingsDisclosureLabel"), choice("net-disclosure", ["full", "tiered"],
      net.disclosure?.default ?? "full", (v) => t(`disclosure_${v}`)), t("settingsDisclosureHint")),
    ...Object.fromEntries(KINDS.map((k) => [`kind_${k}`, field(t("settingsDisclosureKindLabel", { kind: t(`kind_${k}`) }),
      choice(`net-disclosure-${k}`, ["", "full", "tiered"], kinds[k] ?? "", (v) => t(`disclosure_${v || "default"}`)))])),
    from: field(t("settingsReportsFromLabel"), choice("net-reports-from", ["reporters", "members", "anyone"],
      reports.from ?? "reporters", (v) => t(`reportsFrom_${v}`))),
    public_check: checkField("net-reports-public-check", reports.public_check, t("settingsPublicCheckLabel")),
    max_per_hour_per_number: field(t("settingsMaxPerHourLabel"), text("net-reports-max",
      String(reports.max_per_hour_per_number ?? ""), { inputmode: "numeric" }), t("settingsMaxPerHourHint")),
    merge_window: field(t("settingsMergeWindowLabel"), text("net-reports-merge", reports.merge_window),
      t("settingsMergeWindowHint")),
  };
  const value = (k) => fields[k].control.value.trim();
  const body = () => {
    const min = value("min_recipients");
    const disclosureKinds = {};
    for (const k of KINDS) if (value(`kind_${k}`)) disclosureKinds[k] = value(`kind_${k}`);
    // The texts only when changed (empty: the templates' own words).
    const texts = Object.fromEntries(["help_text", "voice_message"].filter((k) => value(k) !== (net[k] ?? ""))
      .map((k) => [k, value(k)]));
    return {
      name: value("name"), default_language: value("default_language"), retention_days: number(value("retention_days")),
      ...texts,
      approval: min || fields.all_areas.control.checked
        ? { min_recipients: min ? number(min) : null, all_areas: fields.all_areas.control.checked } : null,
      disclosure: { default: value("disclosure"), kinds: disclosureKinds },
      reports: { from: value("from"), public_check: fields.public_check.control.checked,
        max_per_hour_per_number: number(value("max_per_hour_per_number")), merge_window: value("merge_window") },
    };
  };
  // "approval.min_recipients" -> min_recipients; "disclosure.kinds.raid" -> kind_raid; "reports.from" -> from.
  const fieldOf = (f) => {
    const m = /^(?:approval|reports)\.(\w+)$/.exec(f) ?? /^disclosure\.kinds\.(\w+)$/.exec(f);
    if (!m) return f.startsWith("disclosure") ? "disclosure" : f;
    return f.startsWith("disclosure") ? `kind_${m[1]}` : m[1];
  };
  const status = h("div", { id: "settings-status" });
  const save = h("button", { type: "submit", id: "settings-save" }, t("saveButton"));
  const group = (title, ...names) => h("fieldset", {}, h("legend", {}, title), names.map((n) => fields[n].el));
  const form = h("form", { class: "card", novalidate: true, id: "settings" },
    group(t("settingsNetworkTitle"), "name", "default_language", "retention_days", "help_text", "voice_message"),
    group(t("settingsApprovalTitle"), "min_recipients", "all_areas"),
    group(t("settingsDisclosureTitle"), "disclosure", ...KINDS.map((k) => `kind_${k}`)),
    group(t("settingsReportsTitle"), "from", "public_check", "max_per_hour_per_number", "merge_window"),
    status, h("div", { class: "buttons" }, save));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const saved = await submitForm("PATCH", networkPath(), { fields, body }, status, save, errorText, fieldOf);
      if (saved) {
        net = saved;
        status.replaceChildren(notice(t("settingsSaved")));
      }
    } catch (err) {
      showError(err);
    }
  });
  fill(main, h("h1", { tabindex: "-1" }, t("settingsTitle")), h("p", { class: "meta" }, t("settingsMeta",
    { slug: net.slug, numbers: net.numbers.map((n) => n.number).join(", ") })), form);
}
