// Long-lived tokens: the list, "Mint token" (the token is shown once, with
// a copy button) and revocation.

import { listSessions, mintToken, revokeToken } from "./api.js";
import { badge, cell, timeCell } from "./format.js";
import { announce, confirm } from "./dialogs.js";

const $ = (id) => document.getElementById(id);

// Expiry presets, in seconds; those past the deployment's maximum are
// refused by the server with a clear message.
const presets = [
  ["7 days", 7 * 86400],
  ["30 days", 30 * 86400],
  ["90 days", 90 * 86400],
  ["1 year", 365 * 86400],
];

let view = { subject: "", scopes: [], cursor: "" };

/** showTokens (re)loads the first page of subject's long-lived tokens. */
export async function showTokens(subject, scopes) {
  view = { subject, scopes, cursor: "" };
  $("tokens-table").tBodies[0].replaceChildren();
  await loadPage();
}

async function loadPage() {
  const err = $("tokens-error");
  err.hidden = true;
  try {
    const page = await listSessions({ subject: view.subject, type: "long_lived", all: true, cursor: view.cursor });
    for (const t of page.sessions) $("tokens-table").tBodies[0].append(row(t));
    view.cursor = page.next_cursor || "";
    $("tokens-more").hidden = !view.cursor;
    $("tokens-empty").hidden = $("tokens-table").tBodies[0].rows.length > 0;
  } catch (e) {
    err.textContent = "Could not load the tokens: " + e.message;
    err.hidden = false;
  }
}

function row(t) {
  const tr = document.createElement("tr");
  tr.dataset.id = t.id;
  cell(tr, t.name || "—");
  cell(tr, (t.scopes || []).join(" "));
  cell(tr, [].concat(t.audience || t.resource || []).join(" ") || "—", "mono");
  timeCell(cell(tr), t.issued_at);
  timeCell(cell(tr), t.expires_at, "never");
  timeCell(cell(tr), t.last_used_at, "never");
  cell(tr).append(badge(t.status));
  const act = cell(tr);
  if (t.status === "active") {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "danger";
    b.textContent = "Revoke";
    b.setAttribute("aria-label", "Revoke token " + (t.name || t.id));
    b.addEventListener("click", async () => {
      if (!(await confirm("Revoke the token \u201c" + (t.name || t.id) + "\u201d? Whatever uses it stops working at once."))) return;
      try {
        await revokeToken(t.id);
        announce("Token revoked.");
        await showTokens(view.subject, view.scopes);
      } catch (e) {
        announce("Could not revoke the token: " + e.message, true);
      }
    });
    act.append(b);
  }
  return tr;
}

function openMint() {
  const box = $("mint-scopes");
  box.querySelectorAll("label").forEach((l) => l.remove());
  const mintable = view.scopes.filter((s) => s !== "openid" && s !== "offline_access");
  for (const s of mintable) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = "scope";
    input.value = s;
    label.append(input, " " + s);
    box.append(label);
  }
  const select = $("mint-expiry");
  select.replaceChildren(...presets.map(([text, secs]) => new Option(text, String(secs))));
  select.value = String(30 * 86400);
  $("mint-error").hidden = true;
  $("mint-form").reset();
  $("mint-dialog").showModal();
  $("mint-name").focus();
}

async function submitMint(ev) {
  ev.preventDefault();
  const form = $("mint-form");
  const scopes = [...form.querySelectorAll("input[name=scope]:checked")].map((i) => i.value);
  const err = $("mint-error");
  if (scopes.length === 0) {
    err.textContent = "Choose at least one scope.";
    err.hidden = false;
    return;
  }
  const spec = { name: $("mint-name").value.trim(), subject: view.subject, scopes, expires_in: Number($("mint-expiry").value) };
  const resource = $("mint-resource").value.trim();
  if (resource) spec.resource = resource;
  $("mint-submit").disabled = true;
  try {
    const minted = await mintToken(spec);
    $("mint-dialog").close();
    $("minted-token").value = minted.token;
    $("minted-dialog").showModal();
    $("minted-token").select();
    announce("Token \u201c" + minted.name + "\u201d minted. Copy it now: it is shown only once.");
    await showTokens(view.subject, view.scopes);
  } catch (e) {
    err.textContent = e.message;
    err.hidden = false;
  } finally {
    $("mint-submit").disabled = false;
  }
}

/** wireTokens connects the section's controls once. */
export function wireTokens() {
  $("tokens-more").addEventListener("click", loadPage);
  $("mint-open").addEventListener("click", openMint);
  $("mint-form").addEventListener("submit", submitMint);
  $("mint-cancel").addEventListener("click", () => $("mint-dialog").close());
  $("minted-copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("minted-token").value);
      announce("Token copied.");
    } catch {
      $("minted-token").select();
      announce("Select the token and copy it (the clipboard is not available).", true);
    }
  });
  $("minted-close").addEventListener("click", () => {
    $("minted-token").value = "";
    $("minted-dialog").close();
  });
}
