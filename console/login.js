// The login screen: a token is pasted once and exchanged for a session cookie (POST /v1/session).
import { call, session } from "./api.js";
import { h, notice, t } from "./dom.js";

export function render(main, { message } = {}) {
  const status = h("div", { id: "login-status" }, message ? notice(message) : null);
  const input = h("input", {
    id: "token", name: "token", type: "password", autocomplete: "off", spellcheck: "false",
    required: true, "aria-describedby": "login-intro",
  });
  const button = h("button", { type: "submit", id: "login-button" }, t("loginButton"));
  const form = h("form", { class: "card", novalidate: true },
    h("label", { for: "token" }, t("tokenLabel")), input, button);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const token = input.value.trim();
    if (!token) {
      status.replaceChildren(notice(t("loginFailed"), "error"));
      input.focus();
      return;
    }
    button.disabled = true;
    try {
      const who = await call("POST", "/v1/session", { token });
      input.value = "";
      Object.assign(session, { network: who.network, networkName: who.network_name, role: who.role });
      location.hash = "#/alerts";
    } catch (err) {
      const text = err.status === 401 ? t("loginFailed")
        : err.status === 403 ? t("loginForbidden", { message: err.message })
        : t("errorGeneric", { message: err.message });
      status.replaceChildren(notice(text, "error"));
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  main.replaceChildren(
    h("h1", { tabindex: "-1" }, t("loginTitle")),
    h("p", { id: "login-intro" }, t("loginIntro")),
    status, form);
  input.focus();
}
