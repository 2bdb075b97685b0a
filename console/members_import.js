// CSV import of members: a file picked, sent as text/csv to POST .../members/import; shows the
// created and updated counts, each line's error from the API's `errors` (bad lines store
// nothing; the good ones are stored together), and how many were created opted out (their
// number had texted STOP) with the API's `notes` per line.
import { networkPath, send } from "./api.js";
import { fill, h, notice, t } from "./dom.js";

// The import card; onImported() runs after an import that stored something.
export function section({ errorText, onImported }) {
  const file = h("input", { id: "import-file", type: "file", accept: ".csv,text/csv", "aria-describedby": "import-hint" });
  const button = h("button", { type: "submit", id: "import-button", class: "secondary" }, t("importButton"));
  const result = h("div", { id: "import-result", "aria-live": "polite" });
  const form = h("form", { class: "card", novalidate: true },
    h("h2", {}, t("importTitle")),
    h("div", { class: "field" }, h("label", { for: "import-file" }, t("importFileLabel")), file,
      h("small", { id: "import-hint" }, t("importHint"))),
    h("div", { class: "buttons" }, button), result);

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    result.replaceChildren();
    const picked = file.files[0];
    if (!picked) {
      result.replaceChildren(notice(t("importNoFile"), "error"));
      file.focus();
      return;
    }
    button.disabled = true;
    try {
      const r = await send("POST", networkPath("/members/import"), await picked.text(), { "Content-Type": "text/csv" });
      const lines = (id, items) => (items?.length ? h("ul", { class: "import-errors", id },
        items.map((x) => h("li", {}, t("importLineError", { line: x.line, message: x.message })))) : null);
      fill(result, notice(t("importDone", { created: r.created, updated: r.updated })),
        r.opted_out ? notice(t("importOptedOut", { n: r.opted_out })) : null,
        lines("import-errors", r.errors), lines("import-notes", r.notes));
      if (r.created || r.updated) await onImported();
    } catch (err) {
      result.replaceChildren(notice(errorText(err), "error"));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
