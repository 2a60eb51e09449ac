/* dhcpfod dashboard: polls /api/v1/status every POLL_MS and redraws; the
 * lease search asks /api/v1/leases?q=. No framework, no build step. Every
 * value comes from the daemon's RPC methods (docs/RPC.md §8.1). Over HTTPS
 * (the management listener, docs/REMOTE.md §10) /api/v1/whoami says who the
 * page is, a bearer token typed into the page is kept in sessionStorage
 * only and sent as "Authorization: Bearer", and an administrator's
 * "Rebalance now" POSTs failover.trigger_addr_allocation to /api/v1/rpc. */
"use strict";

const POLL_MS = 2000;
const TOKEN_KEY = "dhcpfod.token";
let who = null;                 /* the last /api/v1/whoami */

function token() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ""; } catch (e) { return ""; }
}

/* fetch with the bearer token, never with cookies */
function api(path, opts) {
  const o = Object.assign({ cache: "no-store", credentials: "omit" }, opts || {});
  o.headers = Object.assign({}, o.headers || {});
  if (token()) o.headers["Authorization"] = "Bearer " + token();
  return fetch(path, o);
}

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}

function duration(s) {
  if (s < 0 || !Number.isFinite(s)) return "–";
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600),
        m = Math.floor(s % 3600 / 60), sec = Math.floor(s % 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${sec}s`;
  return `${sec}s`;
}

function when(t) {
  return t ? new Date(t * 1000).toLocaleString() : "–";
}

function stateBadge(name) {
  return el("span", { class: "state " + (name || "UNKNOWN"), text: name || "UNKNOWN" });
}

function ipNum(a) {
  return a.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

/* This server's configured share (%) of a relationship's free addresses
 * (docs/FAILOVER.md §11): load-balance gives the primary `percentage`,
 * hot-standby gives the secondary `percentage`. */
function thisShare(rel) {
  const secondary = rel.mode === "hot-standby" ? rel.percentage : 100 - rel.percentage;
  return rel.server_type === "secondary" ? secondary : 100 - secondary;
}

/* Why "Rebalance now" is disabled for rel, or "" when it is not. */
function rebalanceWhy(rel) {
  if (!who) return "Rebalance now: who you are is not known yet";
  if (!who.may_change)
    return who.why + "; use `dhcpfoctl failover rebalance " + rel.name + "` meanwhile.";
  if (rel.server_type !== "primary")
    return "Rebalancing runs on the primary of " + rel.name + ": open its dashboard.";
  return "";
}

function relRow(rel, now) {
  const last = (rel.history || [])[0];
  const why = rebalanceWhy(rel);
  const attrs = why ? { type: "button", disabled: "" } : { type: "button" };
  Object.assign(attrs, { class: "rebalance", "data-rel": rel.name,
    title: why || `failover.trigger_addr_allocation ${rel.name} as ${who.identity}` });
  const btn = el("button", attrs, "Rebalance now");
  if (!why) btn.addEventListener("click", () => rebalance(rel.name));
  return el("tr", { "data-rel": rel.name },
    el("td", { text: rel.name }),
    el("td", { text: `${rel.server_type} / ${rel.mode} ${rel.percentage} %` }),
    el("td", { class: "my-state" }, stateBadge(rel.state)),
    el("td", { class: "partner-state" }, stateBadge(rel.partner_state)),
    el("td", { text: rel.connected === undefined ? "no peer" :
                     rel.connected ? "connected" : "down" }),
    el("td", { class: "in-state", text: rel.state_since ? duration(now - rel.state_since) : "–" }),
    el("td", { text: rel.clock_skew === undefined ? "–" :
                     rel.clock_skew + " s" + (rel.time_out_of_sync ? " (out of sync!)" : "") }),
    el("td", { class: "unacked", text: rel.unacked_updates ?? "–" }),
    el("td", { class: "reason", text: last ? `${last.from} → ${last.to} (${last.reason}), ${when(last.time)}`
                                           : `prev ${rel.prev_state}` }),
    el("td", {}, btn));
}

function drawRels(doc) {
  const tb = document.querySelector("#rels tbody");
  const now = doc.server ? doc.server.time : Date.now() / 1000;
  tb.replaceChildren(...(doc.relationships.length ?
    doc.relationships.map(r => relRow(r, now)) :
    [el("tr", {}, el("td", { colspan: 10, class: "none", text: "no failover relationships" }))]));
}

function segment(cls, n, total, title) {
  const s = el("span", { class: cls, title: `${title}: ${n}` });
  s.style.width = (total ? 100 * n / total : 0) + "%";
  return s;
}

function scopeBox(sc, rels) {
  const st = sc.statistics || {};
  const total = st.num_addr || 0, rel = rels[sc.relationship];
  const rangeSize = ipNum(sc.range.end) - ipNum(sc.range.start) + 1;
  const leased = (st.this_addr_in_use || 0) + (st.partner_addr_in_use || 0);
  const bar = el("div", { class: "bar" },
    segment("this", st.this_addr_free || 0, total, "free, this server"),
    segment("partner", st.partner_addr_free || 0, total, "free, the partner"),
    segment("used", st.addr_in_use || 0, total, "in use"));
  let target = "";
  if (rel) {
    const share = thisShare(rel);
    const m = el("span", { class: "target", title: `configured: ${share} % of the free addresses` });
    m.style.left = (total ? 100 * (st.addr_free || 0) * share / 100 / total : 0) + "%";
    bar.append(m);
    target = ` (configured ${share} %)`;
  }
  return el("div", { class: "scope", "data-subnet": sc.subnet,
                     "data-this-free": st.this_addr_free, "data-partner-free": st.partner_addr_free },
    el("h3", { text: `${sc.subnet}/${sc.prefix} ${sc.name ? "· " + sc.name : ""}` +
                     ` · ${sc.relationship ? "relationship " + sc.relationship : "no relationship"}` +
                     ` · ${sc.state}` }),
    bar,
    el("div", { class: "numbers" },
      "free: this server ", el("b", { class: "this-free", text: st.this_addr_free }),
      ", the partner ", el("b", { class: "partner-free", text: st.partner_addr_free }),
      ` of ${st.addr_free} free${target} · leased `, el("b", { text: leased }),
      " · in use ", el("b", { text: st.addr_in_use }),
      " · reserved ", el("b", { text: sc.reservations }),
      " · excluded ", el("b", { text: rangeSize - total }),
      ` · ${total} addresses`));
}

function drawScopes(doc) {
  const rels = {};
  for (const r of doc.relationships) rels[r.name] = r;
  const box = document.getElementById("scopes");
  box.replaceChildren(...(doc.scopes.length ? doc.scopes.map(s => scopeBox(s, rels)) :
    [el("p", { class: "none", text: "no scopes" })]));
}

function drawHistory(doc) {
  const rows = [];
  for (const r of doc.relationships)
    for (const h of r.history || []) rows.push([h, r.name]);
  rows.sort((a, b) => b[0].time - a[0].time);
  const tb = document.querySelector("#history tbody");
  tb.replaceChildren(...(rows.length ? rows.slice(0, 50).map(([h, name]) => el("tr", {},
      el("td", { text: when(h.time) }), el("td", { text: name }),
      el("td", {}, stateBadge(h.from)), el("td", {}, stateBadge(h.to)),
      el("td", { text: h.reason }))) :
    [el("tr", {}, el("td", { colspan: 5, class: "none", text: "none since the daemon started" }))]));
}

function drawServer(doc) {
  const s = doc.server || {};
  document.getElementById("server-id").textContent = s.server_id || "";
  document.getElementById("server-meta").textContent =
    `version ${s.version} · up ${duration(s.uptime)} · ` +
    `storage ${s.storage && s.storage.ok === false ? "FAILING" : "ok"}`;
}

async function refresh() {
  const live = document.getElementById("live");
  try {
    const r = await api("api/v1/status");
    if (!r.ok) {
      const e = await r.json().catch(() => ({}));
      throw new Error(r.status + (e.error ? ": " + e.error : ""));
    }
    const doc = await r.json();
    drawServer(doc); drawRels(doc); drawScopes(doc); drawHistory(doc);
    live.className = "live ok";
    live.textContent = "live · " + new Date().toLocaleTimeString();
  } catch (e) {
    live.className = "live stale";
    live.textContent = "no answer (" + e.message + ")";
  }
}

async function poll() {
  await refresh();
  setTimeout(poll, POLL_MS);
}

/* Who the page is (/api/v1/whoami) and the sign-in box of HTTPS. */
async function loadWho() {
  try {
    const r = await api("api/v1/whoami");
    who = r.ok ? await r.json() : null;
  } catch (e) {
    who = null;
  }
  /* a refused token is forgotten at once: polls would only repeat the 401 */
  if (who && who.channel === "https" && !who.authenticated && token()) {
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing kept */ }
  }
  const box = document.getElementById("auth");
  box.hidden = !who || who.channel !== "https";
  document.getElementById("who").textContent = !who ? "" :
    who.authenticated ? `${who.identity} · ${who.role}` :
    who.channel === "https" ? "not signed in: " + who.why : "";
  document.getElementById("signout").hidden = !token();
}

async function signIn(ev) {
  ev.preventDefault();
  const f = document.getElementById("token");
  try { sessionStorage.setItem(TOKEN_KEY, f.value.trim()); } catch (e) { /* private mode */ }
  f.value = "";
  await loadWho();
  await refresh();
}

async function signOut() {
  try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing kept */ }
  await loadWho();
  await refresh();
}

/* "Rebalance now": the JSON-RPC request, as the CLI sends it. */
async function rebalance(name) {
  const out = document.getElementById("action");
  out.textContent = `rebalancing ${name}…`;
  try {
    const r = await api("api/v1/rpc", { method: "POST",
      headers: { "Content-Type": "application/json", "X-Requested-With": "dhcpfod" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "failover.trigger_addr_allocation",
                             params: { name: name } }) });
    const doc = await r.json();
    if (doc.error) out.textContent = `${name}: error ${doc.error.code}: ${doc.error.message}` +
        (doc.error.data && doc.error.data.detail ? " (" + doc.error.data.detail + ")" : "");
    else out.textContent = `${name} rebalanced at ${new Date().toLocaleTimeString()}: ` +
        (doc.result.scopes || []).map(sc => `${sc.scope} free: primary ${sc.primary_free}, ` +
          `secondary ${sc.secondary_free} (moved ${(sc.moved_to_secondary || 0) +
          (sc.moved_to_primary || 0)})`).join("; ");
    out.className = doc.error ? "action bad" : "action ok";
    out.title = out.textContent;
  } catch (e) {
    out.textContent = `${name}: no answer (${e.message})`;
    out.className = "action bad";
  }
  await refresh();
}

async function search(ev) {
  ev.preventDefault();
  const q = document.getElementById("q").value.trim();
  const tb = document.querySelector("#leases tbody");
  const r = await api("api/v1/leases?q=" + encodeURIComponent(q));
  const doc = r.ok ? await r.json() : { leases: [] };
  tb.replaceChildren(...(doc.leases.length ? doc.leases.map(l => el("tr", {},
      el("td", { text: l.address }), el("td", { text: l.hwaddr }),
      el("td", { text: l.hostname }), el("td", {}, el("span", { text: l.state })),
      el("td", { text: l.owner }), el("td", { text: when(l.ends) }))) :
    [el("tr", {}, el("td", { colspan: 6, class: "none", text: `nothing found for "${q}"` }))]));
}

document.getElementById("search").addEventListener("submit", search);
document.getElementById("signin").addEventListener("submit", signIn);
document.getElementById("signout").addEventListener("click", signOut);
const q0 = new URLSearchParams(location.search).get("q");
if (q0) { document.getElementById("q").value = q0; search(new Event("submit")); }
loadWho().then(poll);
