// Calls to Latchkey's API with the in-memory access token. A 401 is
// answered once by refreshing through the cookie and trying again.

import { refresh, session } from "./auth.js";

/** ApiError carries the OAuth error of a failed call. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body.error_description || body.error || "request failed (" + status + ")");
    this.status = status;
    this.code = body.error || "";
  }
}

async function call(method, path, body) {
  const s = session();
  const headers = { Authorization: "Bearer " + (s ? s.token : "") };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
}

/** request sends an authenticated request and returns the JSON answer. */
export async function request(method, path, body) {
  let r = await call(method, path, body);
  if (r.status === 401 && (await refresh())) {
    r = await call(method, path, body);
  }
  const answer = r.status === 204 ? {} : await r.json().catch(() => ({}));
  if (!r.ok) throw new ApiError(r.status, answer);
  return answer;
}

/** listSessions reads one page of the sessions page. */
export function listSessions({ subject = "", type = "", all = false, cursor = "", limit = 50 }) {
  const q = new URLSearchParams({ limit: String(limit) });
  if (subject) q.set("subject", subject);
  if (type) q.set("type", type);
  if (all) q.set("status", "all");
  if (cursor) q.set("cursor", cursor);
  return request("GET", "/sessions?" + q.toString());
}

export const revokeSession = (id) => request("DELETE", "/sessions/" + encodeURIComponent(id));
export const revokeSubject = (subject) => request("DELETE", "/sessions?subject=" + encodeURIComponent(subject));
export const revokeToken = (id) => request("DELETE", "/tokens/" + encodeURIComponent(id));
export const mintToken = (spec) => request("POST", "/tokens", spec);
