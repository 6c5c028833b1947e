// The Latchkey console: an OAuth client of Latchkey itself (public,
// authorization code + PKCE). It shows the signed-in user's sessions and
// long-lived tokens; an administrator (latchkey:admin or sessions:read)
// may look up any subject.

import { clientID, forget, redirectURI, session, signIn, start } from "./auth.js";
import { revokeSession } from "./api.js";
import { announce } from "./dialogs.js";
import { showSessions, wireSessions } from "./sessions.js";
import { showTokens, wireTokens } from "./tokens.js";

const $ = (id) => document.getElementById(id);

function isAdmin(scopes) {
  return scopes.includes("latchkey:admin") || scopes.includes("sessions:read");
}

async function show(subject) {
  const s = session();
  $("who").textContent = subject === s.claims.sub ? "Signed in as " + subject : "Showing " + subject + " (signed in as " + s.claims.sub + ")";
  await Promise.all([showSessions(subject, s.claims.sid || ""), showTokens(subject, s.scopes)]);
}

async function signOut() {
  const s = session();
  try {
    if (s && s.claims.sid) await revokeSession(s.claims.sid);
  } catch {
    // The login session is ended below either way.
  }
  forget();
  const q = new URLSearchParams({ client_id: clientID, post_logout_redirect_uri: redirectURI() });
  location.assign("/oauth2/logout?" + q.toString());
}

async function main() {
  $("sign-in").addEventListener("click", signIn);
  $("sign-out").addEventListener("click", signOut);
  wireSessions();
  wireTokens();
  let s;
  try {
    s = await start();
  } catch (e) {
    announce("Sign-in failed: " + e.message, true);
  }
  if (!s) {
    $("signed-out").hidden = false;
    $("sign-in").focus();
    return;
  }
  for (const id of ["nav", "who", "sessions", "tokens"]) $(id).hidden = false;
  if (isAdmin(s.scopes)) {
    $("lookup").hidden = false;
    $("subject").value = s.claims.sub;
    $("lookup-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const subject = $("subject").value.trim();
      if (subject) show(subject);
    });
  }
  await show(s.claims.sub);
}

main();
