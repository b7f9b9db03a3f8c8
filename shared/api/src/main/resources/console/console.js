// Sentinel review console: a queue of held items and one item at a time, over the review API.
// Every value from the API is written with textContent, never as HTML: keys and labels come from uploaders.
"use strict";

const api = new URL(".", location.href);
const TOKEN_KEY = "sentinel.token";
const SEVERITY = {
  CHILD_SAFETY: ["critical", "Child safety"],
  QUARANTINE: ["high", "Quarantined"],
  REVIEW: ["medium", "Held"],
  ALLOW: ["low", "Allowed"],
};

const state = { items: [], selected: 0, item: null, unblurred: false, timer: null };
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function say(text, isError) {
  $("message").textContent = text;
  $("message").className = isError ? "error" : "";
}

// --- token ----------------------------------------------------------------------------------------------------
function takeTokenFromFragment() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.has("token")) {
    sessionStorage.setItem(TOKEN_KEY, fragment.get("token"));
    // The token must not stay in the address bar or the history.
    history.replaceState(null, "", location.pathname + location.search);
  }
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

async function call(method, path, body) {
  const response = await fetch(new URL(path, api), {
    method,
    headers: Object.assign({ authorization: "Bearer " + token() }, body ? { "content-type": "application/json" } : {}),
    body: body ? JSON.stringify(body) : undefined,
    cache: "no-store",
    credentials: "omit",
  });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (response.status === 401 || response.status === 403) {
    if (path.endsWith("/preview")) return { status: response.status, json };
    throw new Error((json && json.detail) || "not allowed: sign in as a reviewer");
  }
  if (!response.ok) throw new Error((json && (json.detail || json.title)) || "request failed: " + response.status);
  return { status: response.status, json };
}

// --- formatting ------------------------------------------------------------------------------------------------
function isChildSafety(verdict) {
  return verdict.action === "CHILD_SAFETY" || (verdict.reasons || []).some((r) => r.action === "CHILD_SAFETY");
}

function duration(ms) {
  const minutes = Math.floor(Math.abs(ms) / 60000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  return days > 0 ? `${days}d ${hours}h` : hours > 0 ? `${hours}h ${rest}m` : `${rest}m`;
}

function deadlineCell(verdict) {
  if (!verdict.reviewDeadline) return el("span", { class: "deadline" }, "—");
  const left = Date.parse(verdict.reviewDeadline) - Date.now();
  const cls = left < 0 ? "deadline late" : left < 3600000 ? "deadline soon" : "deadline";
  return el("span", { class: cls, "data-deadline": verdict.reviewDeadline, "data-testid": "deadline" },
      left < 0 ? `overdue ${duration(left)}` : `${duration(left)} left`);
}

function severity(verdict) {
  const [cls, text] = SEVERITY[verdict.action] || ["low", verdict.action];
  return el("span", { class: "severity " + cls }, text);
}

function topLabels(verdict) {
  return (verdict.labels || []).slice().sort((a, b) => b.confidence - a.confidence).slice(0, 3)
      .map((l) => `${l.name} ${l.confidence.toFixed(1)}%`).join(", ") || "—";
}

function releaseRequests(verdict) {
  return (verdict.decisions || []).filter((d) => d.outcome === "RELEASE_REQUESTED");
}

// --- queue -----------------------------------------------------------------------------------------------------
async function loadQueue() {
  say("Loading…");
  const status = $("status").value;
  const { json } = await call("GET", `reviews?status=${encodeURIComponent(status)}&limit=100`);
  // Oldest first: the longest-held item is the next one to decide.
  state.items = json.items.slice().sort((a, b) => Date.parse(a.decidedAt) - Date.parse(b.decidedAt));
  state.selected = Math.min(state.selected, Math.max(0, state.items.length - 1));
  renderQueue();
  say(`${state.items.length} item(s) ${status.toLowerCase()}`);
}

function renderQueue() {
  const rows = $("queue-rows");
  rows.replaceChildren(...state.items.map((v, i) => {
    const reviews = isChildSafety(v) ? `${releaseRequests(v).length}/2 for release` : "1 needed";
    const row = el("tr", { "data-id": v.verdictId, "data-testid": "queue-row", "aria-selected": String(i === state.selected) },
        el("td", null, severity(v)),
        el("td", null, el("code", null, v.object.key)),
        el("td", null, topLabels(v)),
        el("td", null, duration(Date.now() - Date.parse(v.decidedAt))),
        el("td", null, deadlineCell(v)),
        el("td", null, reviews));
    row.addEventListener("click", () => openItem(i));
    return row;
  }));
  $("queue-empty").hidden = state.items.length > 0;
}

function showView(name) {
  for (const view of ["sign-in", "queue", "item"]) $(view).hidden = view !== name;
  $("sign-out").hidden = name === "sign-in";
}

// --- one item --------------------------------------------------------------------------------------------------
async function openItem(index) {
  state.selected = index;
  const verdict = state.items[index];
  if (!verdict) return;
  state.item = verdict;
  state.unblurred = false;
  say("");
  showView("item");
  $("item-title").textContent = verdict.object.key;
  $("item-severity").replaceChildren(severity(verdict));
  $("reason").value = "";
  renderFacts(verdict);
  renderMedia(verdict);
  await renderHistory(verdict);
}

function renderFacts(v) {
  const facts = [
    ["Verdict", v.verdictId],
    ["Object", `${v.object.bucket}/${v.object.key}`],
    ["Version", v.object.versionId],
    ["Decided", v.decidedAt],
    ["Action", v.action],
    ["Placement", v.placement ? v.placement.state : "—"],
    ["Policy", v.policyVersion],
    ["Engine", `${v.engine} ${v.modelVersion || ""}`],
    ["Deadline", v.reviewDeadline || "none"],
    ["Notices", (v.noticeIds || []).join(", ") || "none"],
    ["SHA-256", (v.contentHashes ? v.contentHashes.sha256 : v.object.sha256) || "not read (held for its size)"],
    ["PDQ", v.contentHashes && v.contentHashes.pdq ? `${v.contentHashes.pdq} (quality ${v.contentHashes.pdqQuality})` : "—"],
  ];
  if (v.safety && v.safety.faces) {
    facts.push(["Face ages", v.safety.faces.map((f) => `${f.low}–${f.high}`).join(", ") || "no faces"]);
  }
  $("facts").replaceChildren(...facts.flatMap(([k, value]) => [el("dt", null, k), el("dd", null, value || "—")]));
  $("labels").replaceChildren(...(v.labels || []).map((l) =>
      el("tr", null, el("td", null, l.name), el("td", null, l.parentName || "—"), el("td", null, `${l.confidence.toFixed(1)}%`))));
  $("reasons").replaceChildren(...(v.reasons || []).map((r) =>
      el("li", null, el("strong", null, r.code), " ", r.text, r.ground ? el("div", { class: "keys" }, r.ground) : null)));
  const twoReviewers = $("two-reviewers");
  if (isChildSafety(v)) {
    const requests = releaseRequests(v);
    twoReviewers.hidden = false;
    twoReviewers.textContent = "Two-reviewer rule: a child-safety item is released only when two different reviewers "
        + `release it. Release decisions so far: ${requests.length} of 2`
        + (requests.length ? ` (first by ${requests[0].actor} at ${requests[0].at}).` : ".");
  } else {
    twoReviewers.hidden = true;
  }
}

async function renderMedia(v) {
  const media = $("media");
  if (isChildSafety(v)) {
    // Never an image element for child-safety items: hashes and metadata only.
    media.replaceChildren(el("div", { class: "never-shown", "data-testid": "never-shown" },
        el("strong", null, "Image never shown"),
        el("p", null, "Child-safety item: review from the hashes, labels, face ages and provenance. "
            + "The report record is kept for the legal team."),
        el("p", null, "SHA-256 ", el("code", null, v.contentHashes ? v.contentHashes.sha256 : v.object.sha256))));
    return;
  }
  media.replaceChildren(el("p", null, "Loading preview…"));
  const { status, json } = await call("GET", `reviews/${encodeURIComponent(v.verdictId)}/preview`);
  if (state.item !== v) return;
  if (status !== 200) {
    media.replaceChildren(el("p", null, (json && json.detail) || "No preview"));
    return;
  }
  const image = el("img", {
    class: "shielded", alt: "Held image, blurred", "data-testid": "preview",
    src: `data:${json.contentType};base64,${json.data}`, width: json.width, height: json.height,
  });
  const toggle = el("button", { type: "button", "data-testid": "unblur" }, "Show image (u)");
  toggle.addEventListener("click", toggleBlur);
  media.replaceChildren(image, toggle);
}

function toggleBlur() {
  const image = document.querySelector("#media img");
  if (!image) return;
  state.unblurred = !state.unblurred;
  image.classList.toggle("shielded", !state.unblurred);
  image.alt = state.unblurred ? "Held image" : "Held image, blurred";
  const button = document.querySelector("[data-testid=unblur]");
  if (button) button.textContent = state.unblurred ? "Blur image (u)" : "Show image (u)";
}

async function renderHistory(v) {
  const entries = (v.decisions || []).map((d) =>
      el("li", null, `${d.at} ${d.kind} ${d.outcome} by ${d.actor}: `, el("em", null, d.reason || "")));
  entries.unshift(el("li", null, `${v.decidedAt} automated ${v.action} (${v.engine}, policy ${v.policyVersion})`));
  $("history").replaceChildren(...entries);
  try {
    const { json } = await call("GET", `moderations/${encodeURIComponent(v.verdictId)}/audit`);
    const trail = (json.entries || json.items || []);
    if (state.item === v && trail.length) {
      $("history").append(...trail.map((a) =>
          el("li", { class: "keys" }, `${a.at} audit ${a.what} by ${a.actor}`)));
    }
  } catch (e) {
    // The verdict's own history is shown; the audit trail is extra.
  }
}

async function decide(decision) {
  const reason = $("reason").value.trim();
  if (!reason) {
    say("A reason is required: it goes to the uploader in the statement of reasons.", true);
    $("reason").focus();
    return;
  }
  const v = state.item;
  try {
    const { status, json } = await call("POST", `reviews/${encodeURIComponent(v.verdictId)}/decision`, { decision, reason });
    const after = json.verdict || json;
    showView("queue");
    await loadQueue();
    say(status === 202
        ? "Release recorded; a second, different reviewer must release it too."
        : `${decision === "RELEASE" ? "Released" : "Confirmed"}: ${after.object.key} is now ${after.placement.state}.`);
  } catch (e) {
    say(e.message, true);
  }
}

// --- keys ------------------------------------------------------------------------------------------------------
function onKey(event) {
  if ($("item").hidden === false && event.target === $("reason")) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); decide("CONFIRM"); }
    if (event.key === "Enter" && event.altKey) { event.preventDefault(); decide("RELEASE"); }
    if (event.key === "Escape") $("reason").blur();
    return;
  }
  if (["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName)) return;
  if (!$("queue").hidden) {
    if (event.key === "j") { state.selected = Math.min(state.selected + 1, state.items.length - 1); renderQueue(); }
    if (event.key === "k") { state.selected = Math.max(state.selected - 1, 0); renderQueue(); }
    if (event.key === "Enter") openItem(state.selected);
    if (event.key === "g") loadQueue().catch((e) => say(e.message, true));
  } else if (!$("item").hidden) {
    if (event.key === "Escape") { showView("queue"); renderQueue(); }
    if (event.key === "u") toggleBlur();
    if (event.key === "c") decide("CONFIRM");
    if (event.key === "r") decide("RELEASE");
  }
}

function begin() {
  if (!token()) { showView("sign-in"); return; }
  showView("queue");
  loadQueue().catch((e) => say(e.message, true));
}

function start() {
  takeTokenFromFragment();
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    begin();
  });
  $("sign-out").addEventListener("click", () => { sessionStorage.removeItem(TOKEN_KEY); showView("sign-in"); });
  $("refresh").addEventListener("click", () => loadQueue().catch((e) => say(e.message, true)));
  $("status").addEventListener("change", () => loadQueue().catch((e) => say(e.message, true)));
  $("back").addEventListener("click", () => { showView("queue"); renderQueue(); });
  $("confirm").addEventListener("click", () => decide("CONFIRM"));
  $("release").addEventListener("click", () => decide("RELEASE"));
  document.addEventListener("keydown", onKey);
  // Deadlines count down while the page is open.
  state.timer = setInterval(() => { if (!$("queue").hidden) renderQueue(); }, 30000);
  begin();
}

document.addEventListener("DOMContentLoaded", start);
