// The OAuth sessions page: every session of the subject, newest first,
// with the columns the product has always shown (Issued At, Expires At,
// Login Timestamp, JWT ID, Grants), revocable one by one or all at once.

import { listSessions, revokeSession, revokeSubject } from "./api.js";
import { badge, cell, timeCell } from "./format.js";
import { announce, confirm } from "./dialogs.js";

const $ = (id) => document.getElementById(id);

let view = { subject: "", ownSid: "", cursor: "" };

/** showSessions (re)loads the first page for subject. */
export async function showSessions(subject, ownSid) {
  view = { subject, ownSid, cursor: "" };
  $("sessions-table").tBodies[0].replaceChildren();
  await loadPage();
}

async function loadPage() {
  const err = $("sessions-error");
  err.hidden = true;
  try {
    const page = await listSessions({ subject: view.subject, type: "oauth", all: $("sessions-all").checked, cursor: view.cursor });
    for (const s of page.sessions) $("sessions-table").tBodies[0].append(row(s));
    view.cursor = page.next_cursor || "";
    $("sessions-more").hidden = !view.cursor;
    $("sessions-empty").hidden = $("sessions-table").tBodies[0].rows.length > 0;
  } catch (e) {
    err.textContent = "Could not load the sessions: " + e.message;
    err.hidden = false;
  }
}

function row(s) {
  const tr = document.createElement("tr");
  tr.dataset.id = s.id;
  const mine = s.id === view.ownSid;
  if (mine) tr.classList.add("this-browser");
  timeCell(cell(tr), s.issued_at);
  timeCell(cell(tr), s.expires_at);
  timeCell(cell(tr), s.login_at);
  cell(tr, s.jti || "—", "mono");
  cell(tr, (s.scopes || []).join(" "));
  cell(tr, s.client_id || "—", "mono");
  timeCell(cell(tr), s.last_used_at, "never");
  const where = cell(tr, s.ip || "—");
  if (s.user_agent) {
    const ua = document.createElement("span");
    ua.className = "hint";
    ua.textContent = s.user_agent;
    where.append(ua);
  }
  const st = cell(tr);
  st.append(badge(s.status));
  if (mine) {
    st.append(document.createElement("br"), badge("this browser", "this"));
  }
  const act = cell(tr);
  if (s.status === "active") {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "danger";
    b.textContent = "Revoke";
    b.setAttribute("aria-label", "Revoke session " + s.id);
    b.addEventListener("click", () => revokeRow(s, mine));
    act.append(b);
  }
  return tr;
}

async function revokeRow(s, mine) {
  const warn = mine ? " This is the session of this browser: you will be signed out." : "";
  if (!(await confirm("Revoke the session of " + (s.client_id || "this client") + "? Its tokens stop working at once." + warn))) return;
  try {
    await revokeSession(s.id);
    announce("Session revoked.");
    if (mine) {
      location.reload();
      return;
    }
    await showSessions(view.subject, view.ownSid);
  } catch (e) {
    announce("Could not revoke the session: " + e.message, true);
  }
}

/** wireSessions connects the page's controls once. */
export function wireSessions() {
  $("sessions-more").addEventListener("click", loadPage);
  $("sessions-all").addEventListener("change", () => showSessions(view.subject, view.ownSid));
  $("sign-out-everywhere").addEventListener("click", async () => {
    if (!(await confirm("Sign out everywhere? Every session of " + view.subject + " ends, this browser's included.", "Sign out everywhere"))) return;
    try {
      const r = await revokeSubject(view.subject);
      announce("Signed out everywhere: " + (r.revoked ?? 0) + " sessions ended.");
      await showSessions(view.subject, view.ownSid);
    } catch (e) {
      announce("Could not sign out everywhere: " + e.message, true);
    }
  });
}
