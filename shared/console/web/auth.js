// Signing in as the public client latchkey-console with authorization
// code + PKCE (RFC 7636, S256). The access token lives in memory only;
// the refresh token lives in the HttpOnly __Host-lk_rt cookie, which the
// code exchange sets and POST /oauth2/refresh rotates, so a reload keeps
// the user signed in without any script ever seeing it.

export const clientID = "latchkey-console";
const pending = "latchkey-console-pkce";

let current = null; // { token, claims, expiresAt }
let refreshTimer = 0;

/** redirectURI is where the authorization server sends the user back. */
export function redirectURI() {
  return location.origin + "/console";
}

function base64url(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(n = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(n)));
}

async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** decodeClaims reads a JWT's payload for display; it verifies nothing. */
export function decodeClaims(jwt) {
  try {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
  } catch {
    return {};
  }
}

/** config reads the console's client settings the deployment serves. */
async function config() {
  const r = await fetch("/console/config.json", { credentials: "same-origin" });
  if (!r.ok) throw new Error("the console is not set up on this deployment (latchkey console setup)");
  return r.json();
}

/** signIn sends the browser to the authorization endpoint, asking for
 * every scope the console client may use and offline_access. */
export async function signIn() {
  const cfg = await config();
  const verifier = randomString(48);
  const state = randomString(16);
  sessionStorage.setItem(pending, JSON.stringify({ verifier, state }));
  const q = new URLSearchParams({
    response_type: "code",
    client_id: clientID,
    redirect_uri: redirectURI(),
    scope: [...new Set(["openid", "offline_access", ...(cfg.scopes || [])])].join(" "),
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
  });
  location.assign("/oauth2/authorize?" + q.toString());
}

function adopt(answer) {
  current = {
    token: answer.access_token,
    claims: decodeClaims(answer.access_token),
    scopes: (answer.scope || "").split(" ").filter(Boolean),
    expiresAt: Date.now() + (answer.expires_in || 60) * 1000,
  };
  clearTimeout(refreshTimer);
  const lead = Math.max(5, Math.min(60, (answer.expires_in || 60) / 4));
  refreshTimer = setTimeout(() => refresh().catch(() => {}), Math.max(1000, current.expiresAt - Date.now() - lead * 1000));
  return current;
}

async function postToken(body) {
  const r = await fetch("/oauth2/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(body),
    credentials: "same-origin",
  });
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(answer.error_description || answer.error || "sign-in failed");
  return answer;
}

/** completeSignIn redeems the code in the URL, if there is one. */
async function completeSignIn() {
  const q = new URLSearchParams(location.search);
  if (!q.has("code") && !q.has("error")) return null;
  const saved = JSON.parse(sessionStorage.getItem(pending) || "null");
  sessionStorage.removeItem(pending);
  history.replaceState(null, "", "/console");
  if (q.has("error")) throw new Error(q.get("error_description") || q.get("error"));
  if (!saved || saved.state !== q.get("state")) throw new Error("the sign-in answer does not match this browser's request");
  return adopt(await postToken({
    grant_type: "authorization_code",
    code: q.get("code"),
    redirect_uri: redirectURI(),
    client_id: clientID,
    code_verifier: saved.verifier,
  }));
}

/** refresh rotates the cookie-held refresh token for a new access token. */
export async function refresh() {
  const r = await fetch("/oauth2/refresh", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "{}",
    credentials: "same-origin",
  });
  if (!r.ok) {
    current = null;
    return null;
  }
  return adopt(await r.json());
}

/** start returns the signed-in user, from a code in the URL or the cookie, or null. */
export async function start() {
  return (await completeSignIn()) || (await refresh());
}

/** session returns the current access token and its claims, or null. */
export function session() {
  return current;
}

/** forget drops the in-memory access token. */
export function forget() {
  clearTimeout(refreshTimer);
  current = null;
}
