// Streaming web page: talks to the API with relative paths (/api/...), so it works from
// CloudFront (site bucket + /api/* to the load balancer) and from the laptop server alike.
"use strict";

const state = { token: sessionStorage.getItem("accessToken"), email: sessionStorage.getItem("email"), current: null, watchlist: new Set() };
const $ = (id) => document.getElementById(id);

function say(text) { $("message").textContent = text || ""; }

async function api(path, options = {}) {
  const headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (state.token) headers["Authorization"] = "Bearer " + state.token;
  const response = await fetch(path, { method: options.method || "GET", headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  if (response.status === 401 && state.token) setSession(null, null);
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data && data.error) || {};
    const fields = (error.details || []).map((d) => d.field + " " + d.message).join("; ");
    throw new Error((error.message || ("HTTP " + response.status)) + (fields ? " (" + fields + ")" : ""));
  }
  return data;
}

function posterButton(title) {
  const node = $("poster-template").content.firstElementChild.cloneNode(true);
  node.dataset.titleId = title.id;
  node.setAttribute("aria-label", title.title);
  node.querySelector("img").src = title.poster;
  node.querySelector(".caption").textContent = title.title;
  node.addEventListener("click", () => showDetail(title));
  return node;
}

function renderRows(rows) {
  const main = $("rows");
  main.replaceChildren();
  for (const row of rows) {
    const section = document.createElement("section");
    section.className = "row";
    section.dataset.rowId = row.id;
    const heading = document.createElement("h2");
    heading.textContent = row.title;
    const list = document.createElement("div");
    list.className = "posters";
    row.items.forEach((t) => list.appendChild(posterButton(t)));
    section.append(heading, list);
    main.appendChild(section);
  }
}

function showDetail(title) {
  state.current = title;
  $("detail").hidden = false;
  $("detail-poster").src = title.poster;
  $("detail-title").textContent = title.title;
  $("detail-meta").textContent = `${title.year} · ${title.genres.join(", ")} · ★ ${title.rating.toFixed(1)} · ${title.durationSeconds}s`;
  $("detail-description").textContent = title.description;
  updateWatchlistButton();
  $("detail").scrollIntoView({ block: "nearest" });
}

function updateWatchlistButton() {
  const inList = state.current && state.watchlist.has(state.current.id);
  $("watchlist-button").textContent = inList ? "✓ In My List" : "+ My List";
  $("watchlist-button").dataset.inList = inList ? "true" : "false";
}

async function loadWatchlist() {
  if (!state.token) { $("watchlist").hidden = true; state.watchlist.clear(); return; }
  const data = await api("/api/accounts/watchlist");
  state.watchlist = new Set(data.items.map((t) => t.id));
  $("watchlist-items").replaceChildren(...data.items.map(posterButton));
  $("watchlist").hidden = data.items.length === 0;
  updateWatchlistButton();
}

function setSession(token, email) {
  state.token = token; state.email = email;
  if (token) { sessionStorage.setItem("accessToken", token); sessionStorage.setItem("email", email); }
  else { sessionStorage.removeItem("accessToken"); sessionStorage.removeItem("email"); }
  $("login-form").hidden = !!token;
  $("account").hidden = !token;
  $("account-email").textContent = email || "";
}

async function signIn(register) {
  const email = $("login-email").value.trim();
  const password = $("login-password").value;
  try {
    if (register) await api("/api/accounts/register", { method: "POST", body: { email, password } });
    const data = await api("/api/accounts/login", { method: "POST", body: { email, password } });
    setSession(data.accessToken, email);
    say("Signed in as " + email);
    await loadWatchlist();
  } catch (err) { say(err.message); }
}

async function toggleWatchlist() {
  if (!state.current) return;
  if (!state.token) { say("Sign in to use My List."); return; }
  const id = encodeURIComponent(state.current.id);
  try {
    const method = state.watchlist.has(state.current.id) ? "DELETE" : "PUT";
    await api("/api/accounts/watchlist/" + id, { method });
    await loadWatchlist();
  } catch (err) { say(err.message); }
}

async function play() {
  if (!state.current) return;
  if (!state.token) { say("Sign in to play."); return; }
  try {
    const data = await api("/api/catalog/titles/" + encodeURIComponent(state.current.id) + "/play");
    const video = $("video");
    $("player").hidden = false;
    $("player-title").textContent = state.current.title;
    video.src = data.url;
    await video.play();
  } catch (err) { say(err.message); }
}

async function init() {
  setSession(state.token, state.email);
  $("login-form").addEventListener("submit", (e) => { e.preventDefault(); signIn(false); });
  $("register-button").addEventListener("click", () => { if ($("login-form").reportValidity()) signIn(true); });
  $("logout-button").addEventListener("click", () => { setSession(null, null); loadWatchlist(); say("Signed out"); });
  $("watchlist-button").addEventListener("click", toggleWatchlist);
  $("play-button").addEventListener("click", play);
  $("close-player").addEventListener("click", () => { const v = $("video"); v.pause(); v.removeAttribute("src"); v.load(); $("player").hidden = true; });
  try {
    const data = await api("/api/catalog/rows");
    renderRows(data.rows);
    document.body.dataset.ready = "true";
  } catch (err) { say("Could not load the catalog: " + err.message); }
  if (state.token) loadWatchlist().catch((err) => say(err.message));
}

document.addEventListener("DOMContentLoaded", init);
