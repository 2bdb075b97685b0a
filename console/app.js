// The console's entry point: finds the session (GET /v1/session), routes by the URL's hash
// (#/login, #/alerts, #/raise, #/alerts/<id>, #/members, #/members/new, #/members/<id>, #/areas,
// #/trees, #/trees/<name>, #/policies/<kind>, #/organisations, #/organisations/<id>, #/reports,
// #/cases, #/cases/<id>, and for admins #/tokens, #/audit, #/settings) and draws the header (network,
// navigation, the language picker, logout). The language (i18n.js) is loaded before the first
// screen is drawn; picking another draws the screen again in it.
import { ApiError, call, session } from "./api.js";
import { h, notice, t } from "./dom.js";
import { LANGUAGES, chooseLanguage, currentLanguage, preferredLanguage, useLanguage } from "./i18n.js";
import * as login from "./login.js";
import * as alertsList from "./alerts_list.js";
import * as raise from "./raise.js";
import * as live from "./live.js";
import * as members from "./members.js";
import * as memberForm from "./member_form.js";
import * as areas from "./areas.js";
import * as trees from "./trees.js";
import * as treeEditor from "./tree_editor.js";
import * as tokens from "./tokens.js";
import * as audit from "./audit.js";
import * as policies from "./policies.js";
import * as organisations from "./organisations.js";
import * as organisation from "./organisation.js";
import * as reports from "./reports.js";
import * as cases from "./cases.js";
import * as kase from "./case.js";
import * as settings from "./settings.js";

const main = document.getElementById("main");
const header = document.getElementById("header");
let cleanup = null;
let loginMessage = null;

function errorText(err) {
  if (err.code === "offline") return t("errorOffline");
  if (err.field) return t("errorField", { field: err.field, message: err.message });
  return t("errorGeneric", { message: err.message });
}

function sessionEnded() {
  Object.assign(session, { network: null, networkName: null, role: null });
  loginMessage = t("sessionEnded");
  if (location.hash === "#/login") route();
  else location.hash = "#/login";
}

function showError(err) {
  if (err instanceof ApiError && err.status === 401) {
    sessionEnded();
    return;
  }
  main.prepend(notice(errorText(err), "error"));
}

async function logout() {
  try {
    await call("DELETE", "/v1/session");
  } catch {
    // Ended already: the login screen is where we go either way.
  }
  Object.assign(session, { network: null, networkName: null, role: null });
  loginMessage = t("loggedOut");
  location.hash = "#/login";
}

// The navigation: every link in a row from 48rem; below, behind a Menu button (aria-expanded)
// that Escape or following a link closes. The current screen's link has aria-current.
const LINKS = [
  ["#/alerts", "navAlerts"], ["#/raise", "navRaise", "manage"], ["#/members", "navMembers"], ["#/areas", "navAreas"],
  ["#/reports", "navReports"], ["#/cases", "navCases"],
  ["#/trees", "navTrees"], ["#/policies", "navPolicies"], ["#/organisations", "navOrganisations"],
  ["#/tokens", "navTokens", "admin"], ["#/audit", "navAudit", "admin"], ["#/settings", "navSettings", "admin"],
];

// The language picker: every language the console has, each by its own name.
function languagePicker() {
  const pick = h("select", { id: "language", class: "language", "aria-label": t("languagePickLabel") },
    Object.entries(LANGUAGES).map(([code, name]) => h("option", { value: code, lang: code,
      selected: code === currentLanguage() }, name)));
  pick.addEventListener("change", async () => {
    await chooseLanguage(pick.value);
    skip.textContent = t("skipToContent");
    await route();
    document.getElementById("language")?.focus();
  });
  return pick;
}

function drawHeader() {
  if (!session.network) {
    header.replaceChildren(h("span", { class: "brand" }, t("appName")),
      h("div", { class: "header-buttons" }, languagePicker()));
    return;
  }
  const hash = location.hash || "#/alerts";
  const allowed = ([, , who]) => !who || (who === "admin" ? session.role === "admin" : session.role !== "viewer");
  const current = ([href]) => hash === href || hash.startsWith(`${href}/`);
  const menu = h("button", { type: "button", id: "menu-button", class: "secondary menu-button",
    "aria-expanded": "false", "aria-controls": "nav" }, t("menuButton"));
  const nav = h("nav", { id: "nav", class: "nav", "aria-label": t("navLabel") },
    LINKS.filter(allowed).map((l) => h("a", { href: l[0], "aria-current": current(l) ? "page" : null }, t(l[1]))));
  const setOpen = (open) => {
    nav.classList.toggle("open", open);
    menu.setAttribute("aria-expanded", String(open));
  };
  menu.addEventListener("click", () => {
    setOpen(!nav.classList.contains("open"));
    if (nav.classList.contains("open")) nav.querySelector("a")?.focus();
  });
  nav.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && nav.classList.contains("open")) {
      setOpen(false);
      menu.focus();
    }
  });
  header.replaceChildren(
    h("span", { class: "brand" }, t("appName")),
    h("span", { class: "network", id: "network-name" }, session.networkName ?? session.network),
    h("div", { class: "header-buttons" }, languagePicker(), menu,
      h("button", { type: "button", id: "logout-button", class: "secondary", onclick: logout }, t("logoutButton"))),
    nav);
}

async function findSession() {
  try {
    const who = await call("GET", "/v1/session");
    Object.assign(session, { network: who.network, networkName: who.network_name, role: who.role });
    return Boolean(who.network);
  } catch (err) {
    if (err.status !== 401) main.replaceChildren(notice(errorText(err), "error"));
    return false;
  }
}

async function route() {
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  const hash = location.hash || "#/alerts";
  if (hash !== "#/login" && !session.network && !(await findSession())) {
    location.hash = "#/login";
    return;
  }
  drawHeader();
  const ctx = { showError, errorText, onSessionEnded: sessionEnded };
  let m;
  if (hash === "#/login") {
    login.render(main, { message: loginMessage });
    loginMessage = null;
  } else if (hash === "#/raise") {
    await raise.render(main, ctx);
  } else if ((m = /^#\/alerts\/(\d+)$/.exec(hash))) {
    cleanup = await live.render(main, { ...ctx, id: m[1] });
  } else if (hash === "#/members") {
    await members.render(main, ctx);
  } else if (hash === "#/members/new") {
    await memberForm.render(main, { ...ctx, id: null });
  } else if ((m = /^#\/members\/(\d+)$/.exec(hash))) {
    await memberForm.render(main, { ...ctx, id: m[1] });
  } else if (hash === "#/areas") {
    await areas.render(main, ctx);
  } else if (hash === "#/trees") {
    await trees.render(main, ctx);
  } else if ((m = /^#\/trees\/([^/]+)$/.exec(hash))) {
    await treeEditor.render(main, { ...ctx, name: decodeURIComponent(m[1]) });
  } else if ((m = /^#\/policies(?:\/(\w+))?$/.exec(hash)) && (!m[1] || policies.KINDS.includes(m[1]))) {
    await policies.render(main, { ...ctx, kind: m[1] ?? "raid" });
  } else if (hash === "#/organisations") {
    await organisations.render(main, ctx);
  } else if ((m = /^#\/organisations\/(\d+)$/.exec(hash))) {
    await organisation.render(main, { ...ctx, id: m[1] });
  } else if (hash === "#/reports") {
    await reports.render(main, ctx);
  } else if (hash === "#/cases") {
    await cases.render(main, ctx);
  } else if ((m = /^#\/cases\/(\d+)$/.exec(hash))) {
    await kase.render(main, { ...ctx, id: m[1] });
  } else if (hash === "#/tokens") {
    await tokens.render(main, ctx);
  } else if (hash === "#/audit") {
    await audit.render(main, ctx);
  } else if (hash === "#/settings") {
    await settings.render(main, ctx);
  } else {
    await alertsList.render(main, ctx);
  }
  document.title = `${main.querySelector("h1")?.textContent ?? ""} · ${t("appName")}`;
  main.querySelector("h1")?.focus();
}

// The skip link focuses the content without touching the hash (which routes).
const skip = document.getElementById("skip");
skip.addEventListener("click", (e) => {
  e.preventDefault();
  main.focus();
});

async function start() {
  try {
    await useLanguage(preferredLanguage());
  } catch {
    await useLanguage("en");  // the translation could not be fetched: English, which is built in
  }
  skip.textContent = t("skipToContent");
  main.replaceChildren(h("p", {}, t("loading")));
  window.addEventListener("hashchange", route);
  await route();
}
start();
