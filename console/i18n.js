// The console's language. Every word is in strings.en.js; a translation is one more file,
// strings.<lang>.js, with the same keys (a key it lacks is shown in English), listed in LANGUAGES
// and LOADERS below (and in TOCSIN_CONSOLE_FILES before this file). The language is the one the
// coordinator picked in this browser (kept in localStorage), else the first of the browser's
// languages that the console has, else English. Right-to-left languages set dir="rtl".
import { strings as english } from "./strings.en.js";

// Each language by its own name, as the picker shows it.
export const LANGUAGES = { en: "English", fr: "Français" };
// A translation is fetched only when it is chosen (a literal path, so the build can hash it).
const LOADERS = { fr: () => import("./strings.fr.js") };
const RTL = ["ar", "fa", "he", "ur"];
const STORED = "tocsin.language";

let current = english;
let language = "en";

export function strings() {
  return current;
}

export function currentLanguage() {
  return language;
}

// The locale for dates and times: the browser's own when it is of the console's language
// (en-GB keeps its 24-hour clock), else the language.
export function locale() {
  const own = navigator.language ?? "";
  return own.toLowerCase().split("-")[0] === language ? own : language;
}

// The stored choice, else the browser's first language the console has, else "en".
export function preferredLanguage() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORED);
  } catch {
    stored = null;  // storage refused (private mode): the browser's language then
  }
  if (stored && stored in LANGUAGES) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const code = String(tag ?? "").toLowerCase().split("-")[0];
    if (code in LANGUAGES) return code;
  }
  return "en";
}

// Loads `code`'s strings (English for any key it lacks) and marks the page with its language.
export async function useLanguage(code) {
  const wanted = code in LANGUAGES ? code : "en";
  current = wanted === "en" ? english : { ...english, ...(await LOADERS[wanted]()).strings };
  language = wanted;
  document.documentElement.lang = wanted;
  document.documentElement.dir = RTL.includes(wanted) ? "rtl" : "ltr";
}

// The coordinator's choice: kept in this browser, used at once.
export async function chooseLanguage(code) {
  try {
    localStorage.setItem(STORED, code);
  } catch {
    // Not kept: used for this page only.
  }
  await useLanguage(code);
}
