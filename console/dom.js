// Small DOM helpers: build elements without innerHTML (nothing the server sends is ever parsed
// as HTML), and fill in the words of the coordinator's language (i18n.js; strings.en.js has all).
import { locale, strings } from "./i18n.js";

// The string `key` in the console's language with "{name}" replaced by vars.name.
// A key with no string is reported on the console (the browser test fails on it) and shown as is.
export function t(key, vars = {}) {
  const words = strings();
  if (!(key in words)) console.error(`tocsin: no string "${key}" in strings.en.js`);
  const text = words[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

// h("button", {type: "submit", onclick: fn}, "text", child...)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces the element's children.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A local, readable time: "10:02" today, else "30 Nov 10:02".
export function shortTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const now = new Date();
  const time = d.toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
  if (d.toDateString() === now.toDateString()) return time;
  return `${d.toLocaleDateString(locale(), { day: "numeric", month: "short" })} ${time}`;
}

// A message box for errors and notices, announced to screen readers.
export function notice(text, kind = "info") {
  return h("p", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}
