// The live alert: counts (queued, sent, delivered, failed, going, cannot, no answer) and who is
// going, read from the API and refreshed as the alert's event stream (EventSource, with the
// session cookie) says something changed; a timeline read from the API (raise, steps, goal,
// reminders, updates, stand-down, end) and added to as the stream reports (escalation
// steps, reminders, backups, tree moves, warnings, updates, the end); organisations' answers in
// the going list; the phone trees the alert walks (live_tree.js); update, resolve, cancel. An
// alert held for a second coordinator is approved or rejected here (live_approval.js); one
// waiting for its report's verifiers says so (the report is decided in Reports).
import { call, networkPath, mayManage } from "./api.js";
import { h, notice, shortTime, t } from "./dom.js";
import { treeSection } from "./live_tree.js";
import { approvalCard } from "./live_approval.js";

// Statuses after which nothing more happens (no stream, no actions).
const ENDED = ["resolved", "cancelled"];

const COUNTS = ["queued", "sent", "delivered", "failed", "going", "cannot", "no_answer"];

// The timeline's words for an `escalation` event's `what`.
function escalationText(what) {
  let m;
  if ((m = /^step (\d+)$/.exec(what))) return t("ev_step", { n: m[1] });
  if (what === "goal_met") return t("ev_goal_met");
  if ((m = /^reminded (\d+)$/.exec(what))) return t("ev_reminded", { n: m[1] });
  if ((m = /^backups called (\d+)$/.exec(what))) return t("ev_backups", { n: m[1] });
  if (what === "trees moved") return t("ev_trees");
  return t("ev_other", { what });
}

export async function render(main, { id, showError, errorText, onSessionEnded }) {
  const alertPath = networkPath(`/alerts/${encodeURIComponent(id)}`);
  const title = h("h1", { tabindex: "-1" }, t("loading"));
  const meta = h("p", { class: "meta" });
  const liveState = h("span", { class: "live-state", id: "live-state", role: "status" });
  const counts = h("dl", { class: "counts", id: "counts" },
    COUNTS.map((c) => h("div", { class: `count count-${c}` },
      h("dt", {}, t(`count_${c}`)), h("dd", { "data-count": c }, "0"))));
  const going = h("ul", { class: "going", id: "going" });
  const timeline = h("ol", { class: "timeline", id: "timeline" }, h("li", { class: "empty" }, t("timelineEmpty")));
  const actions = h("section", { class: "card actions", id: "actions", hidden: true });
  const trees = treeSection(alertPath);
  let ended = false;
  let source = null;
  let refreshTimer = null;

  function addToTimeline(text, at) {
    timeline.querySelector(".empty")?.remove();
    timeline.append(h("li", {}, h("time", { datetime: at ?? new Date().toISOString() }, shortTime(at ?? new Date().toISOString())), " ", text));
  }

  async function readAlert() {
    const a = await call("GET", alertPath);
    title.textContent = t("liveTitle", { kind: t(`kind_${a.kind}`), location: a.location });
    meta.textContent = t("liveMeta", { code: a.code, created: shortTime(a.created_at), status: t(`status_${a.status}`) });
    for (const c of COUNTS) counts.querySelector(`[data-count="${c}"]`).textContent = String(a.counts?.[c] ?? 0);
    if (ENDED.includes(a.status)) end(a.status, false);
    return a;
  }

  // What happened before this page opened (GET .../timeline): the stream adds what follows.
  const PAST = {
    raised: () => t("ev_raised"), step: (n) => t("ev_step", { n }), goal_met: () => t("ev_goal_met"),
    reminder: (n) => t("ev_reminded", { n }), update: (n) => t("ev_update_sent", { n }),
    stand_down: (n) => t("ev_stood_down", { n }), resolved: () => t("ev_ended_resolved"),
    cancelled: () => t("ev_ended_cancelled"),
  };
  async function readTimeline() {
    const { timeline: past } = await call("GET", `${alertPath}/timeline`);
    timeline.replaceChildren(h("li", { class: "empty" }, t("timelineEmpty")));
    for (const e of past) if (PAST[e.what]) addToTimeline(PAST[e.what](e.n), e.at);
  }

  async function readGoing() {
    const r = await call("GET", `${alertPath}/responses?answer=going&limit=100`);
    const rows = [
      ...(r.organisation_responses ?? []).map((x) => h("li", { class: "going-org", "data-organisation": x.organisation.slug },
        t("goingOrgRow", { name: x.organisation.name, time: shortTime(x.received_at) }))),
      ...r.responses.map((x) => h("li", {}, t("goingRow", { name: x.name ?? t("unnamed"), time: shortTime(x.received_at) }))),
    ];
    going.replaceChildren(...(rows.length ? rows : [h("li", { class: "empty" }, t("goingEmpty"))]));
  }

  async function refresh() {
    try {
      await Promise.all([readAlert(), readGoing(), trees.load()]);
    } catch (err) {
      if (err.status === 401) onSessionEnded();
      else showError(err);
    }
  }

  // Many events come in bursts (a fan-out): read the counts once per burst.
  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      refresh();
    }, 250);
  }

  function end(status, fromStream) {
    if (fromStream) addToTimeline(t(`ev_ended_${status}`));
    if (ended) return;
    ended = true;
    source?.close();
    liveState.textContent = t("liveEnded");
    actions.hidden = true;
  }

  function listen() {
    source = new EventSource(`${alertPath}/events`);
    // Read again once the stream is open: what changed before it opened sends no event.
    source.addEventListener("open", () => {
      if (ended) return;
      liveState.textContent = t("liveConnected");
      scheduleRefresh();
    });
    source.addEventListener("error", () => {
      if (ended) return;
      if (source.readyState === EventSource.CLOSED) {
        // The server refused the stream (401 once the session ended): find out why.
        refresh();
      } else {
        liveState.textContent = t("liveReconnecting");
      }
    });
    const data = (e) => JSON.parse(e.data);
    source.addEventListener("delivery", scheduleRefresh);
    source.addEventListener("answer", scheduleRefresh);
    source.addEventListener("escalation", (e) => {
      const d = data(e);
      addToTimeline(escalationText(d.what), d.at);
      scheduleRefresh();
    });
    source.addEventListener("warning", (e) => { const d = data(e); addToTimeline(t("ev_warning", { text: d.warning ?? d.message ?? "" }), d.at); });
    source.addEventListener("reset", async () => {
      await readTimeline().catch(() => {});
      addToTimeline(t("ev_reset"));
      scheduleRefresh();
    });
    source.addEventListener("revoked", () => { source.close(); onSessionEnded(); });
    source.addEventListener("overflow", () => { source.close(); scheduleRefresh(); setTimeout(listen, 1000); });
    source.addEventListener("alert", (e) => { end(data(e).status, true); scheduleRefresh(); });
  }

  function renderActions() {
    const message = h("textarea", { id: "message", rows: "2", maxlength: "480" });
    const status = h("div", {});
    const update = h("button", { type: "button", id: "update-button" }, t("updateButton"));
    const resolve = h("button", { type: "button", id: "resolve-button" }, t("resolveButton"));
    const cancel = h("button", { type: "button", id: "cancel-button", class: "danger" }, t("cancelButton"));
    const confirmRow = h("div", { class: "buttons", hidden: true });
    update.addEventListener("click", async () => {
      if (!message.value.trim()) {
        status.replaceChildren(notice(t("messageNeeded"), "error"));
        message.focus();
        return;
      }
      update.disabled = true;
      try {
        const r = await call("POST", `${alertPath}/updates`, { message: message.value.trim() });
        addToTimeline(t("ev_update", { text: message.value.trim() }));
        status.replaceChildren(notice(t("updateSent", { n: r.recipients })));
        message.value = "";
      } catch (err) {
        status.replaceChildren(notice(errorText(err), "error"));
      } finally {
        update.disabled = false;
      }
    });
    // Resolve and cancel ask once, in place.
    function ask(action, question) {
      const yes = h("button", { type: "button", id: `confirm-${action}` }, action === "resolve" ? t("resolveButton") : t("cancelButton"));
      const back = h("button", { type: "button", class: "secondary" }, t("backButton"));
      confirmRow.replaceChildren(h("p", { role: "alert" }, question), yes, back);
      confirmRow.hidden = false;
      yes.focus();
      back.addEventListener("click", () => { confirmRow.hidden = true; });
      yes.addEventListener("click", async () => {
        yes.disabled = true;
        try {
          const body = message.value.trim() ? { message: message.value.trim() } : {};
          const a = await call("POST", `${alertPath}/${action}`, body);
          confirmRow.hidden = true;
          end(a.status, true);
          await refresh();
        } catch (err) {
          status.replaceChildren(notice(errorText(err), "error"));
          yes.disabled = false;
        }
      });
    }
    resolve.addEventListener("click", () => ask("resolve", t("resolveConfirm")));
    cancel.addEventListener("click", () => ask("cancel", t("cancelConfirm")));
    actions.replaceChildren(h("h2", {}, t("actionsTitle")),
      h("label", { for: "message" }, t("messageLabel")), message, status,
      h("div", { class: "buttons" }, update, resolve, cancel), confirmRow);
  }

  main.replaceChildren(
    h("div", { class: "title-row" }, title, liveState), meta,
    h("section", { "aria-labelledby": "counts-title" }, h("h2", { id: "counts-title" }, t("countsTitle")), counts),
    h("div", { class: "columns" },
      h("section", { "aria-labelledby": "going-title" }, h("h2", { id: "going-title" }, t("goingTitle")), going),
      h("section", { "aria-labelledby": "timeline-title" }, h("h2", { id: "timeline-title" }, t("timelineTitle")), timeline)),
    trees.el, actions);
  try {
    const a = await readAlert();
    // The timeline read back is a help, not the page: without it the stream still fills it in.
    await Promise.all([readGoing(), trees.load(), readTimeline().catch(() => {})]);
    // A fresh stream starts with the warnings; an ended alert has no stream.
    if (ended) for (const w of a.warnings ?? []) addToTimeline(t("ev_warning", { text: w }), a.created_at);
    if (mayManage() && a.status === "open") {
      renderActions();
      actions.hidden = false;
    }
    if (a.status === "verifying") {
      actions.before(h("p", { class: "notice notice-info", id: "verifying" }, t("liveVerifying"), " ",
        h("a", { href: "#/reports" }, t("navReports"))));
    }
    if (a.status === "pending_approval") {
      liveState.textContent = t("status_pending_approval");
      if (mayManage()) {
        actions.before(approvalCard(alertPath, async (decided) => {
          if (decided.status === "open") {
            renderActions();
            actions.hidden = false;
          } else {
            end(decided.status, true);
          }
          await refresh();
        }, errorText));
      }
    }
    if (!ended) listen();
  } catch (err) {
    if (err.status === 401) onSessionEnded();
    else if (err.status === 404) main.replaceChildren(h("h1", { tabindex: "-1" }, t("notFound")));
    else showError(err);
  }
  return () => {
    ended = true;
    source?.close();
    clearTimeout(refreshTimer);
  };
}
