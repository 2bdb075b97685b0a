// One case (#/cases/<id>): its pseudonym and status; for coordinators its details (name, phone,
// Home Office reference, notes, language, areas, public, the consent dates, open or closed) as a
// form that saves them (PATCH; an emptied field is cleared), its contacts (case_contacts.js:
// named, and added here), the supporters' DONE counts, its timeline (GET .../timeline: events,
// the alerts they raised, a removal's scheduled asks and their state, each DONE) and the form that
// records an event (case_event_form.js). Viewers see the pseudonym, status, language and areas.
import { call, networkPath, mayManage } from "./api.js";
import { fill, h, notice, shortTime, t } from "./dom.js";
import { caseFields, submitCase } from "./case_form.js";
import { contactsSection } from "./case_contacts.js";
import { eventForm } from "./case_event_form.js";

// A schedule entry's "when": 72h before, 1h after, or at once ("at": "recorded").
function scheduleWhen(e) {
  if (e.before) return t("caseScheduleBefore", { time: e.before });
  if (e.after) return t("caseScheduleAfter", { time: e.after });
  return t("caseScheduleAtOnce");
}

// Every timeline item's "at" is a time (a schedule entry due at once has its due time and
// "at_recorded": true); anything else is drawn without one.
const isTime = (at) => Boolean(at) && !Number.isNaN(Date.parse(at));

function timelineItem(e) {
  const when = isTime(e.at) ? h("time", { datetime: e.at }, shortTime(e.at)) : null;
  if (e.type === "alert") {
    return h("li", {}, when, " ", h("a", { href: `#/alerts/${e.alert}` },
      t("caseAlertRow", { code: e.code, kind: t(`kind_${e.kind}`), status: t(`status_${e.status}`) })));
  }
  if (e.type === "schedule") {
    const who = [...(e.audience?.contacts ?? []).map((r) => t(`caseRole_${r}`)),
      ...(e.audience?.roles ?? []).map((r) => t(`role_${r}`))].join(", ");
    return h("li", { class: `schedule schedule-${e.state}` }, when, " ",
      t("caseScheduleRow", { when: scheduleWhen(e), who, ask: e.ask ?? "", state: t(`caseScheduleState_${e.state}`) }));
  }
  if (e.type === "message") {  // a later message of one of the case's alerts (update, reminder...)
    return h("li", {}, when, " ", h("a", { href: `#/alerts/${e.alert}` },
      t("caseMessageRow", { kind: e.kind, n: e.recipients })));
  }
  if (e.type === "answer") {  // a contact's answer to one of the case's alerts
    return h("li", {}, when, " ", h("a", { href: `#/alerts/${e.alert}` },
      t("caseAnswerRow", { answer: e.answer })));
  }
  if (e.type === "done") {
    return h("li", {}, when, " ", t("caseDoneRow", { action: e.action }));
  }
  const text = e.where ?? e.details ?? e.text;
  return h("li", {}, when, " ", t(`caseEvent_${e.type}`), e.deadline ? ` · ${shortTime(e.deadline)}` : "",
    text ? ` · ${text}` : "", h("span", { class: "meta" }, ` (${e.by})`));
}

// The supporters' DONE counts per action ({"letters": 43, "calls": 9}), when there are any.
function actionsLine(actions) {
  const parts = Object.entries(actions ?? {}).map(([action, n]) => t("caseActionCount", { action, n }));
  return parts.length ? h("p", { id: "case-actions" }, t("caseActions", { counts: parts.join(", ") })) : null;
}

function detailsForm(id, kase, title, meta, errorText, showError) {
  const form = caseFields(kase, true);
  const status = h("div", { id: "case-form-status" });
  const save = h("button", { type: "submit", id: "case-save" }, t("saveButton"));
  const el = h("form", { class: "card", novalidate: true, id: "case-details" }, h("h2", {}, t("caseDetailsTitle")),
    form.els, status, h("div", { class: "buttons" }, save));
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const saved = await submitCase("PATCH", networkPath(`/cases/${id}`), form, status, save, errorText);
      if (!saved) return;
      title.textContent = saved.pseudonym;
      fill(meta, metaText(saved));
      status.replaceChildren(notice(t("caseSaved", { name: saved.pseudonym })));
    } catch (err) {
      showError(err);
    }
  });
  return el;
}

function metaText(kase) {
  return t("caseMeta", { status: t(`caseStatus_${kase.status}`), areas: kase.areas.join(", ") || "–",
    language: kase.language });
}

export async function render(main, ctx) {
  const { id, showError, errorText } = ctx;
  let kase;
  try {
    kase = await call("GET", networkPath(`/cases/${id}`));
  } catch (err) {
    showError(err);
    return;
  }
  const timeline = h("ol", { class: "timeline", id: "case-timeline" });
  const editable = mayManage();
  async function loadTimeline() {
    if (!editable) return;
    try {
      const { timeline: items } = await call("GET", networkPath(`/cases/${id}/timeline`));
      fill(timeline, items.map(timelineItem));
      if (!items.length) timeline.append(h("li", { class: "empty" }, t("caseTimelineEmpty")));
    } catch (err) {
      showError(err);
    }
  }
  const title = h("h1", { tabindex: "-1" }, kase.pseudonym);
  const meta = h("p", { class: "meta", id: "case-meta" }, metaText(kase));
  let contacts = null;
  if (editable) {
    try {
      contacts = await contactsSection(id, editable, errorText);
    } catch (err) {
      showError(err);
    }
  }
  fill(main, title, meta, actionsLine(kase.actions),
    editable ? detailsForm(id, kase, title, meta, errorText, showError) : null, contacts,
    editable ? [h("h2", {}, t("caseTimelineTitle")), timeline, eventForm(id, loadTimeline, ctx)] : null,
    h("p", {}, h("a", { href: "#/cases" }, t("caseBack"))));
  await loadTimeline();
}
