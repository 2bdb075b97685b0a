// One case (#/cases/<id>): its pseudonym, status, areas, language and consent; its contacts; its
// timeline (events and the alerts they raised, GET .../timeline); and, for coordinators, the
// form that records an event (POST .../events): the type picks the one text field it has
// (detained: where; removal_directions: deadline and details; note: text; released,
// removal_cancelled, removed: none). A `detained` event raises the detention alert: a link to it
// follows. The API's 422 is shown at the field it names.
import { call, networkPath, mayManage } from "./api.js";
import { fill, h, notice, shortTime, t } from "./dom.js";
import { clearErrors, field, showFieldError } from "./form.js";

const TYPES = ["detained", "removal_directions", "released", "removal_cancelled", "removed", "note"];
// The text field each type has (the API's name for it), if any.
const TEXT_FIELD = { detained: "where", removal_directions: "details", note: "text" };

function timelineItem(e) {
  const when = h("time", { datetime: e.at }, shortTime(e.at));
  if (e.type === "alert") {
    return h("li", {}, when, " ", h("a", { href: `#/alerts/${e.alert}` },
      t("caseAlertRow", { code: e.code, kind: t(`kind_${e.kind}`), status: t(`status_${e.status}`) })));
  }
  const text = e.where ?? e.details ?? e.text;
  return h("li", {}, when, " ", t(`caseEvent_${e.type}`), e.deadline ? ` · ${shortTime(e.deadline)}` : "",
    text ? ` · ${text}` : "", h("span", { class: "meta" }, ` (${e.by})`));
}

export async function render(main, { id, showError, errorText }) {
  let kase;
  try {
    kase = await call("GET", networkPath(`/cases/${id}`));
  } catch (err) {
    showError(err);
    return;
  }
  const timeline = h("ol", { class: "timeline", id: "case-timeline" });
  async function loadTimeline() {
    try {
      const { timeline: items } = await call("GET", networkPath(`/cases/${id}/timeline`));
      fill(timeline, items.map(timelineItem));
      if (!items.length) timeline.append(h("li", { class: "empty" }, t("caseTimelineEmpty")));
    } catch (err) {
      showError(err);
    }
  }

  const consent = kase.consent
    ? t("caseConsent", { mp: kase.consent.mp ?? t("caseNoConsent"), legal: kase.consent.legal ?? t("caseNoConsent") })
    : null;
  const contacts = h("ul", { class: "tree-list", id: "case-contacts" }, (kase.contacts ?? []).map((k) => h("li", {},
    t(`caseRole_${k.role}`), " · ", k.organisation ? h("a", { href: `#/organisations/${k.organisation}` },
      t("caseContactOrganisation", { id: k.organisation }))
      : k.member ? h("a", { href: `#/members/${k.member}` }, t("caseContactMember", { id: k.member }))
        : h("a", { href: `#/trees/${encodeURIComponent(k.tree ?? "")}` }, t("caseContactTree", { tree: k.tree })))));
  if (!contacts.children.length) contacts.append(h("li", { class: "empty" }, t("caseContactsEmpty")));

  let record = null;
  if (mayManage()) {
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
    record = h("form", { class: "card", novalidate: true }, h("h2", {}, t("caseEventTitle")),
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
            t("caseAlertLink", { code: done.alert.code })) : null));
        for (const f of ["where", "details", "deadline", "text"]) fields[f].control.value = "";
        await loadTimeline();
      } catch (err) {
        if (err.status === 422 || err.status === 409) showFieldError(fields, status, err, errorText);
        else showError(err);
      } finally {
        save.disabled = false;
      }
    });
  }

  fill(main, h("h1", { tabindex: "-1" }, kase.pseudonym),
    h("p", { class: "meta", id: "case-meta" }, t("caseMeta", { status: t(`caseStatus_${kase.status}`),
      areas: kase.areas.join(", ") || "–", language: kase.language })),
    consent ? h("p", {}, consent) : null,
    h("h2", {}, t("caseContactsTitle")), contacts,
    h("h2", {}, t("caseTimelineTitle")), timeline, record,
    h("p", {}, h("a", { href: "#/cases" }, t("caseBack"))));
  await loadTimeline();
}
