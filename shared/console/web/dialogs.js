// The console's dialogs: a confirmation before anything is revoked, and
// the status line that announces each action (aria-live).

const status = () => document.getElementById("status");

/** announce tells the user (and screen readers) what just happened. */
export function announce(text, failed = false) {
  const el = status();
  el.textContent = text;
  el.classList.toggle("failed", failed);
}

/** confirm asks before a destructive action; it resolves to true or false. */
export function confirm(text, okLabel = "Revoke") {
  const dialog = document.getElementById("confirm-dialog");
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-ok").textContent = okLabel;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
  });
}
