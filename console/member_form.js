// Add or edit a member: phone, name, language, areas, roles, channels and backup (another member,
// sent the alert when this one stays silent). POST .../members (add) or PATCH .../members/{id}
// (edit: every field but an unchanged phone is sent; an empty name or "no backup" clears it); the
// API's 422/409 appears next to the field it names; saved, it goes back to the list.
import { call, networkPath } from "./api.js";
import { h, notice, t } from "./dom.js";
import { checkboxes, clearErrors, field, showFieldError } from "./form.js";
import { readAll } from "./members.js";

export const ROLES = ["responder", "verifier", "reporter", "caller", "coordinator"];
const CHANNELS = ["sms", "voice"];

// "SE15, SE22;E8" -> ["SE15", "SE22", "E8"]
function areaList(text) {
  return text.split(/[,;]/).map((a) => a.trim()).filter(Boolean);
}

export async function render(main, { id, showError, errorText }) {
  let member = { phone: "", name: "", language: "en", areas: [], roles: ["responder"], channels: ["sms"], backup: null };
  let others = [];
  try {
    if (id) member = await call("GET", networkPath(`/members/${encodeURIComponent(id)}`));
    others = (await readAll()).filter((m) => String(m.id) !== String(id ?? ""));
  } catch (err) {
    main.replaceChildren(h("h1", { tabindex: "-1" }, t(id ? "memberEditTitle" : "memberAddTitle")));
    showError(err);
    return;
  }
  const status = h("div", { id: "member-status" });
  const fields = {
    phone: field(t("phoneLabel"), h("input", { id: "member-phone", type: "tel", autocomplete: "off",
      required: true, value: member.phone }), t("phoneHint")),
    name: field(t("nameLabel"), h("input", { id: "member-name", type: "text", maxlength: "100",
      value: member.name ?? "" })),
    language: field(t("languageLabel"), h("input", { id: "member-language", type: "text", maxlength: "12",
      value: member.language }), t("languageHint")),
    areas: field(t("memberAreasLabel"), h("input", { id: "member-areas", type: "text",
      value: member.areas.join(", ") }), t("memberAreasHint")),
    roles: checkboxes(t("rolesLegend"), "roles", ROLES, member.roles, (r) => t(`role_${r}`)),
    channels: checkboxes(t("channelsLegend"), "channels", CHANNELS, member.channels, (c) => t(`channel_${c}`)),
    backup: field(t("memberBackupLabel"), h("select", { id: "member-backup" },
      h("option", { value: "" }, t("memberNoBackup")),
      others.map((m) => h("option", { value: String(m.id), selected: m.id === member.backup },
        m.name ?? m.phone))), t("memberBackupHint")),
  };
  const save = h("button", { type: "submit", id: "member-save" }, t("saveButton"));
  const form = h("form", { class: "card", novalidate: true }, Object.values(fields).map((f) => f.el),
    status, h("div", { class: "buttons" }, save, h("a", { href: "#/members", class: "button secondary" }, t("backButton"))));

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(fields, status);
    const name = fields.name.control.value.trim();
    const body = {
      language: fields.language.control.value.trim() || "en",
      areas: areaList(fields.areas.control.value),
      roles: fields.roles.values(),
      channels: fields.channels.values(),
    };
    const phone = fields.phone.control.value.trim();
    if (!id || phone !== member.phone) body.phone = phone;  // an unchanged phone is not sent again
    if (name) body.name = name;
    else if (id) body.name = null;
    const backup = fields.backup.control.value;
    if (backup) body.backup = Number(backup);
    else if (id && member.backup != null) body.backup = null;
    save.disabled = true;
    try {
      if (id) await call("PATCH", networkPath(`/members/${encodeURIComponent(id)}`), body);
      else await call("POST", networkPath("/members"), body);
      location.hash = "#/members";
    } catch (err) {
      if (err.status === 422 || err.status === 409) showFieldError(fields, status, err, errorText);
      else status.replaceChildren(notice(errorText(err), "error"));
    } finally {
      save.disabled = false;
    }
  });

  main.replaceChildren(h("h1", { tabindex: "-1" }, t(id ? "memberEditTitle" : "memberAddTitle")), form);
}
