// Times in the viewer's time zone, with relative hints ("in 14 min",
// "3 days ago"). The API speaks RFC 3339; null or absent means none.

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto", style: "short" });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

const units = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

/** relativeTime returns "in 14 min" or "3 days ago" for a Date. */
export function relativeTime(date, nowMs = Date.now()) {
  const delta = Math.round((date.getTime() - nowMs) / 1000);
  for (const [unit, size] of units) {
    if (Math.abs(delta) >= size || unit === "second") {
      return relative.format(Math.round(delta / size), unit);
    }
  }
  return "";
}

/** timeCell fills a table cell with the local time and a relative hint. */
export function timeCell(td, iso, none = "—") {
  td.replaceChildren();
  const date = iso ? new Date(iso) : null;
  if (!date || isNaN(date.getTime())) {
    td.textContent = none;
    return;
  }
  const time = document.createElement("time");
  time.dateTime = date.toISOString();
  time.textContent = absolute.format(date);
  const hint = document.createElement("span");
  hint.className = "hint";
  hint.textContent = relativeTime(date);
  td.append(time, hint);
}

/** cell appends a <td> with text to row and returns it. */
export function cell(row, text = "", className = "") {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.append(td);
  return td;
}

/** badge returns a status badge element. */
export function badge(text, kind = text) {
  const span = document.createElement("span");
  span.className = "badge " + kind;
  span.textContent = text;
  return span;
}
