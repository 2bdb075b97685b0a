// The /v1 API from the browser: the session cookie authenticates (same origin; the browser adds
// Origin to every change, which the server checks). Errors come back as ApiError with the
// server's code, message and field.
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

// Calls `method path` with an optional JSON body; resolves to the parsed JSON (null for 204).
export async function call(method, path, body, headers = {}) {
  if (body === undefined) return send(method, path, undefined, headers);
  return send(method, path, JSON.stringify(body), { ...headers, "Content-Type": "application/json" });
}

// Sends `text` as it is (e.g. a CSV file with its Content-Type in headers); answers as call().
export async function send(method, path, text, headers = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (text !== undefined) init.body = text;
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, "offline", e.message, "");
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = data?.error ?? {};
    throw new ApiError(res.status, err.code ?? "error", err.message ?? res.statusText, err.field ?? "");
  }
  return data;
}

// The network the session acts in (GET /v1/session), set at login and on load.
export const session = { network: null, networkName: null, role: null };

export function networkPath(rest = "") {
  return `/v1/networks/${encodeURIComponent(session.network)}${rest}`;
}

// Whether the session's role may change alerts, members, areas and trees (viewers only read).
export function mayManage() {
  return session.role === "admin" || session.role === "coordinator";
}
