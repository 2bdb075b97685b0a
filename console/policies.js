// Escalation policies, one per alert kind (#/policies/<kind>): the steps as a form, never raw
// JSON. GET .../policies/{kind} answers the stored policy or the built-in default; Save PUTs the
// whole policy and shows the API's 422 next to the field it names ("steps[1].wait",
// "steps[0].audience.organisations[1]", "reminder.after"), else in the form's status.
// Each step: who (the alert's areas, the neighbours, named areas, the whole network, a phone
// tree, listed members, or no member), roles, organisations (none, all matching, or named),
// channel (an SMS step may call those who have not answered after a while: call_after), wait,
// and the goal (going count; a tree's confirmation). The verification of street reports is
// a card of its own (policy_verification.js); a removal policy's schedule, which this form does
// not edit, is sent back as it was read, so saving here never drops it.
import { call, networkPath, mayManage } from "./api.js";
import { fill, h, notice, t } from "./dom.js";
import { checkboxes, field, showInSlot, uniqueId } from "./form.js";
import { ROLES } from "./member_form.js";
import { verificationCard } from "./policy_verification.js";

export const KINDS = ["raid", "detention", "removal", "other"];
const SCOPES = ["alert", "neighbours", "named", "network", "tree", "members", "none"];
const CHANNELS = ["sms", "voice"];
const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);

// The API's audience -> the form's step fields.
function fromApi(step) {
  const a = step.audience ?? {};
  let scope = "network";
  if (a.areas === "alert" || a.areas === "neighbours") scope = a.areas;
  else if (Array.isArray(a.areas)) scope = "named";
  else if (a.tree) scope = "tree";
  else if (a.members) scope = "members";
  else if (!a.roles && a.organisations) scope = "none";
  const orgs = a.organisations === "all" ? "all" : Array.isArray(a.organisations) ? "named" : "none";
  return {
    scope, roles: a.roles ?? ["responder"], areas: Array.isArray(a.areas) ? a.areas.join(", ") : "",
    tree: a.tree ?? "", members: (a.members ?? []).join(", "), orgs,
    orgList: Array.isArray(a.organisations) ? a.organisations : [], channel: step.channel ?? "sms",
    wait: step.wait ?? "", callAfter: step.call_after ?? "", going: step.until?.going ? String(step.until.going) : "",
    confirmed: Boolean(step.until?.confirmed),
  };
}

// The form's step -> the API's step.
function toApi(s) {
  const audience = {};
  if (["alert", "neighbours", "named", "network"].includes(s.scope)) audience.roles = s.roles;
  if (s.scope === "alert" || s.scope === "neighbours") audience.areas = s.scope;
  if (s.scope === "named") audience.areas = list(s.areas);
  if (s.scope === "tree") audience.tree = s.tree;
  if (s.scope === "members") audience.members = list(s.members).map((m) => (/^\d+$/.test(m) ? Number(m) : m));
  if (s.orgs === "all") audience.organisations = "all";
  if (s.orgs === "named") audience.organisations = s.orgList;
  const step = { audience, channel: s.channel };
  if (s.wait.trim()) step.wait = s.wait.trim();
  if (s.callAfter.trim() && s.channel === "sms" && s.scope !== "tree") step.call_after = s.callAfter.trim();
  const until = {};
  if (s.going.trim()) until.going = /^\d+$/.test(s.going.trim()) ? Number(s.going.trim()) : s.going.trim();
  if (s.confirmed && s.scope === "tree") until.confirmed = true;
  if (Object.keys(until).length) step.until = until;
  return step;
}

function newStep() {
  return fromApi({ audience: { roles: ["responder"], areas: "alert" }, channel: "sms", wait: "5m" });
}

export async function render(main, { kind, showError, errorText }) {
  const title = h("h1", { tabindex: "-1" }, t("policyTitle", { kind: t(`kind_${kind}`) }));
  let stored;
  let trees = [];
  let orgs = [];
  try {
    stored = await call("GET", networkPath(`/policies/${kind}`));
    trees = (await call("GET", networkPath("/trees"))).trees;
    orgs = (await call("GET", networkPath("/organisations"))).organisations;
  } catch (err) {
    main.replaceChildren(title);
    showError(err);
    return;
  }
  const editable = mayManage();
  let steps = stored.steps.map(fromApi);
  const status = h("div", { id: "policy-status" });
  const stepsBox = h("ol", { class: "policy-steps", id: "policy-steps" });
  let slots = [];  // per step: { scope, roles, areas, tree, members, orgs, channel, wait, going, confirmed }

  const kindPick = field(t("policyKindLabel"), h("select", { id: "policy-kind" },
    KINDS.map((k) => h("option", { value: k, selected: k === kind }, t(`kind_${k}`)))));
  kindPick.control.addEventListener("change", () => { location.hash = `#/policies/${kindPick.control.value}`; });

  function select(id, values, value, label, onchange) {
    const el = h("select", { id, disabled: !editable },
      values.map((v) => h("option", { value: v, selected: v === value }, label(v))));
    el.addEventListener("change", () => onchange(el.value));
    return el;
  }

  function input(id, value, onchange, attrs = {}) {
    const el = h("input", { id, type: "text", value, disabled: !editable, ...attrs });
    el.addEventListener("input", () => onchange(el.value));
    return el;
  }

  function drawStep(s, i) {
    const n = i + 1;
    const f = {};
    f.scope = field(t("policyScopeLabel"), select(uniqueId("step-scope"), SCOPES, s.scope,
      (v) => t(`policyScope_${v}`), (v) => { s.scope = v; draw(`step-${i}-scope`); }));
    f.scope.control.dataset.step = i;
    f.roles = checkboxes(t("policyRolesLegend"), `step-${i}-roles`, ROLES, s.roles, (r) => t(`role_${r}`));
    f.roles.el.addEventListener("change", () => { s.roles = f.roles.values(); });
    f.roles.el.hidden = !["alert", "neighbours", "named", "network"].includes(s.scope);
    f.areas = field(t("policyAreasLabel"), input(uniqueId("step-areas"), s.areas, (v) => { s.areas = v; }),
      t("memberAreasHint"));
    f.areas.el.hidden = s.scope !== "named";
    f.tree = field(t("policyTreeLabel"), select(uniqueId("step-tree"), ["", ...trees], s.tree,
      (v) => v || t("policyPickTree"), (v) => { s.tree = v; }));
    f.tree.el.hidden = s.scope !== "tree";
    f.members = field(t("policyMembersLabel"), input(uniqueId("step-members"), s.members, (v) => { s.members = v; }),
      t("policyMembersHint"));
    f.members.el.hidden = s.scope !== "members";
    f.orgs = field(t("policyOrgsLabel"), select(uniqueId("step-orgs"), ["none", "all", "named"], s.orgs,
      (v) => t(`policyOrgs_${v}`), (v) => { s.orgs = v; draw(); }), t("policyOrgsHint"));
    const orgBoxes = checkboxes(t("policyOrgListLegend"), `step-${i}-orgs`, orgs.map((o) => o.slug), s.orgList,
      (slug) => orgs.find((o) => o.slug === slug)?.name ?? slug);
    orgBoxes.el.addEventListener("change", () => { s.orgList = orgBoxes.values(); });
    orgBoxes.el.hidden = s.orgs !== "named";
    if (!orgs.length && s.orgs === "named") orgBoxes.el.append(h("p", {}, t("policyNoOrgs")));
    f.orgList = orgBoxes;
    f.channel = field(t("policyChannelLabel"), select(uniqueId("step-channel"), CHANNELS, s.channel,
      (v) => t(`channel_${v}`), (v) => { s.channel = v; f.call_after.el.hidden = v !== "sms" || s.scope === "tree"; }));
    f.call_after = field(t("policyCallAfterLabel"), input(uniqueId("step-call-after"), s.callAfter,
      (v) => { s.callAfter = v; }), t("policyCallAfterHint"));
    f.call_after.el.hidden = s.channel !== "sms" || s.scope === "tree";
    f.wait = field(t("policyWaitLabel"), input(uniqueId("step-wait"), s.wait, (v) => { s.wait = v; }),
      t("policyWaitHint"));
    f.going = field(t("policyGoingLabel"), input(uniqueId("step-going"), s.going, (v) => { s.going = v; },
      { inputmode: "numeric" }), t("policyGoingHint"));
    const confirmed = h("input", { type: "checkbox", id: uniqueId("step-confirmed"), checked: s.confirmed,
      disabled: !editable });
    confirmed.addEventListener("change", () => { s.confirmed = confirmed.checked; });
    const confirmedSlot = h("p", { class: "field-error", role: "alert", hidden: true });
    f.confirmed = { el: h("div", { class: "check", hidden: s.scope !== "tree" }, confirmed,
      h("label", { for: confirmed.id }, t("policyConfirmedLabel")), confirmedSlot), control: confirmed,
    errorSlot: confirmedSlot };
    slots.push(f);
    const move = (to) => { steps.splice(to, 0, steps.splice(i, 1)[0]); draw(`step-${to}-scope`); };
    const buttons = editable ? h("div", { class: "buttons" },
      i > 0 ? h("button", { type: "button", class: "secondary", "data-action": "up",
        "aria-label": t("policyStepUpLabel", { n }), onclick: () => move(i - 1) }, t("policyStepUp")) : null,
      i < steps.length - 1 ? h("button", { type: "button", class: "secondary", "data-action": "down",
        "aria-label": t("policyStepDownLabel", { n }), onclick: () => move(i + 1) }, t("policyStepDown")) : null,
      steps.length > 1 ? h("button", { type: "button", class: "danger", "data-action": "remove",
        "aria-label": t("policyStepRemoveLabel", { n }),
        onclick: () => { steps.splice(i, 1); draw(); addStep.focus(); } }, t("policyStepRemove")) : null) : null;
    return h("li", { class: "card policy-step", "data-step": i },
      h("fieldset", {}, h("legend", {}, t("policyStepTitle", { n })),
        f.scope.el, f.roles.el, f.areas.el, f.tree.el, f.members.el, f.orgs.el, orgBoxes.el,
        f.channel.el, f.call_after.el, f.wait.el, f.going.el, f.confirmed.el, buttons));
  }

  // Draws the steps again from `steps`; focuses the scope select of `focus` ("step-2-scope").
  function draw(focus) {
    slots = [];
    stepsBox.replaceChildren(...steps.map(drawStep));
    const m = /^step-(\d+)-scope$/.exec(focus ?? "");
    if (m) slots[m[1]]?.scope.control.focus();
  }

  const reminder = field(t("policyReminderLabel"), h("input", { id: "policy-reminder", type: "text",
    value: stored.reminder?.after ?? "", disabled: !editable }), t("policyReminderHint"));
  const backup = field(t("policyBackupLabel"), h("input", { id: "policy-backup", type: "text",
    value: stored.backup?.after ?? "", disabled: !editable }), t("policyBackupHint"));
  const standDown = h("input", { type: "checkbox", id: "policy-stand-down", checked: Boolean(stored.stand_down),
    disabled: !editable });

  // "steps[1].audience.organisations[0]" -> that step's organisations; "reminder.after" -> reminder.
  function showInPlace(err) {
    const m = /^steps\[(\d+)\](?:\.(audience|until|channel|wait|call_after)(?:\.(\w+))?)?/.exec(err.field ?? "");
    const f = m ? slots[m[1]] : null;
    let slot = null;
    if (f) {
      const sub = m[3];
      if (m[2] === "audience") {
        slot = { roles: f.roles, areas: steps[m[1]].scope === "named" ? f.areas : f.scope, tree: f.tree, members: f.members,
          organisations: steps[m[1]].orgs === "named" ? f.orgList : f.orgs }[sub] ?? f.scope;
      } else if (m[2] === "until") slot = sub === "confirmed" ? f.confirmed : f.going;
      else if (m[2]) slot = f[m[2]];
      else slot = f.scope;
    } else if (/^reminder/.test(err.field)) slot = reminder;
    else if (/^backup/.test(err.field)) slot = backup;
    if (!slot && verification.showError(err)) return;
    if (slot) showInSlot(slot, err.message);
    else status.replaceChildren(notice(errorText(err), "error"));
  }

  const save = h("button", { type: "submit", id: "policy-save" }, t("saveButton"));
  const addStep = h("button", { type: "button", class: "secondary", id: "policy-add-step" }, t("policyAddStep"));
  addStep.addEventListener("click", () => { steps.push(newStep()); draw(`step-${steps.length - 1}-scope`); });
  const verification = verificationCard(stored.verification ?? {}, editable);
  const isDefault = h("p", { id: "policy-default" }, stored.default ? t("policyIsDefault") : t("policyIsStored"));
  const form = h("form", { novalidate: true },
    h("h2", {}, t("policyStepsTitle")), stepsBox,
    editable ? h("div", { class: "buttons" }, addStep) : null,
    h("div", { class: "card" }, h("h2", {}, t("policyEveryStepTitle")), reminder.el, backup.el,
      h("div", { class: "check" }, standDown, h("label", { for: standDown.id }, t("policyStandDownLabel")))),
    verification.el, status, editable ? h("div", { class: "buttons" }, save) : null);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    draw();
    status.replaceChildren();
    for (const f of [reminder, backup]) f.errorSlot.hidden = true;
    verification.clear();
    const body = { steps: steps.map(toApi), stand_down: standDown.checked, verification: verification.body() };
    if (stored.schedule) body.schedule = stored.schedule;
    if (reminder.control.value.trim()) body.reminder = { after: reminder.control.value.trim() };
    if (backup.control.value.trim()) body.backup = { after: backup.control.value.trim() };
    save.disabled = true;
    try {
      const saved = await call("PUT", networkPath(`/policies/${kind}`), body);
      steps = saved.steps.map(fromApi);
      draw();
      isDefault.textContent = t("policyIsStored");
      status.replaceChildren(notice(t("policySaved", { kind: t(`kind_${kind}`), n: steps.length })));
    } catch (err) {
      if (err.status === 422) showInPlace(err);
      else status.replaceChildren(notice(errorText(err), "error"));
    } finally {
      save.disabled = false;
    }
  });

  draw();
  fill(main, title, kindPick.el, isDefault, h("p", {}, t("policyIntro")), form);
}
