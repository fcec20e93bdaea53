/**
 * The viewer's one page: static HTML + JS, no build step. Envelopes arrive as server-sent
 * events; frames are drawn on a canvas with the latest plate reading (and its box, scaled
 * from the stream's frame size) over them.
 */
export const VIEWER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>framepipe viewer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#111;color:#eee}
header{display:flex;gap:1em;align-items:center;padding:.6em 1em;background:#222}
header h1{font-size:1.1em;margin:0}#conn{color:#aaa}
button{font:inherit;padding:.3em .9em;border-radius:4px;border:1px solid #666;background:#333;color:#eee;cursor:pointer}
button.on{background:#a22;border-color:#e44}
main{display:flex;flex-wrap:wrap;gap:1em;padding:1em}
.card{background:#1c1c1c;border:1px solid #333;border-radius:6px;padding:.5em}
.card h2{font-size:1em;margin:0 0 .4em}canvas{display:block;background:#000;max-width:100%}
.plate{font:bold 1.3em ui-monospace,monospace;color:#7f7;min-height:1.4em}
.nums{color:#bbb;font-size:.9em}#log{padding:0 1em;color:#aaa;font-size:.85em;white-space:pre-line}
input{font:inherit;padding:.3em;border-radius:4px;border:1px solid #666;background:#222;color:#eee}
#sightings{padding:0 1em;font-size:.9em}#sightings td{padding:0 .8em 0 0}
</style></head><body>
<header><h1>framepipe</h1><span id="conn">connecting…</span>
<button id="rec" type="button">start recording</button><span id="recinfo"></span>
<form id="search"><input id="plate" placeholder="search a plate" size="12" autocomplete="off"><button type="submit">search</button></form></header>
<div id="sightings"></div>
<main id="cards"></main><div id="log"></div>
<script>
"use strict";
const token = new URLSearchParams(location.search).get("token");
const auth = token ? { authorization: "Bearer " + token } : {};
const sources = new Map();
let recording = false;
const $ = (id) => document.getElementById(id);

function card(source) {
  let s = sources.get(source);
  if (s) return s;
  const el = document.createElement("div");
  el.className = "card";
  el.dataset.source = source;
  el.innerHTML = '<h2></h2><canvas width="320" height="240"></canvas><div class="plate"></div><div class="nums"></div>';
  el.querySelector("h2").textContent = source;
  $("cards").appendChild(el);
  s = { el, canvas: el.querySelector("canvas"), img: null, frame: null, result: null, fps: null, stats: null };
  sources.set(source, s);
  return s;
}

function plateOf(result) {
  if (!result || typeof result !== "object") return null;
  let p = result.plate ?? (Array.isArray(result.plates) ? result.plates[0] : null) ?? null;
  if (typeof p === "string") p = { text: p, confidence: result.confidence, bbox: result.bbox };
  if (!p || typeof p.text !== "string") return null;
  return { text: p.text, confidence: p.confidence ?? result.confidence, bbox: p.bbox ?? result.bbox };
}

function box(b) {
  if (Array.isArray(b) && b.length === 4) return { x: b[0], y: b[1], w: b[2], h: b[3] };
  if (b && typeof b === "object" && "x" in b) return { x: b.x, y: b.y, w: b.w ?? b.width, h: b.h ?? b.height };
  return null;
}

function draw(s) {
  const c = s.canvas, ctx = c.getContext("2d");
  if (s.img) {
    if (c.width !== s.img.width || c.height !== s.img.height) { c.width = s.img.width; c.height = s.img.height; }
    ctx.drawImage(s.img, 0, 0);
  }
  const plate = plateOf(s.result && s.result.result);
  if (plate && s.frame) {
    const b = box(plate.bbox);
    const k = c.width / (s.frame.sourceWidth || c.width);
    ctx.strokeStyle = "#7f7"; ctx.lineWidth = 2; ctx.fillStyle = "#7f7"; ctx.font = "bold 16px monospace";
    if (b) { ctx.strokeRect(b.x * k, b.y * k, b.w * k, b.h * k); ctx.fillText(plate.text, b.x * k, Math.max(14, b.y * k - 4)); }
    else ctx.fillText(plate.text, 6, 18);
  }
  s.el.querySelector(".plate").textContent = plate
    ? plate.text + (typeof plate.confidence === "number" ? "  " + Math.round(plate.confidence * 100) + "%" : "")
    : "";
  const n = [];
  if (s.fps !== null) n.push("fps " + s.fps);
  if (s.result) n.push("latency " + Math.round(s.result.latencyMs) + " ms");
  if (s.stats) n.push("lag " + s.stats.lag, "pending " + s.stats.pending, "DLQ " + s.stats.dlq);
  s.el.querySelector(".nums").textContent = n.join(" · ");
}

function log(text) {
  const lines = ($("log").textContent + "\\n" + new Date().toLocaleTimeString() + " " + text).split("\\n");
  $("log").textContent = lines.slice(-8).join("\\n");
}

function onEnvelope(e) {
  const p = e.payload;
  if (e.type === "frame") {
    const s = card(p.source), img = new Image();
    img.onload = () => { s.img = img; s.frame = p; draw(s); };
    img.src = "data:image/jpeg;base64," + p.data;
  } else if (e.type === "core_metrics") {
    const s = card(p.source); s.result = p; draw(s);
  } else if (e.type === "edge_metrics") {
    const s = card(p.source); s.fps = p.metrics && p.metrics.fps; draw(s);
  } else if (e.type === "recording_state") {
    recording = !!p.recording;
    $("rec").textContent = recording ? "stop recording" : "start recording";
    $("rec").classList.toggle("on", recording);
    $("recinfo").textContent = recording ? "session " + (p.session || "") : "";
  } else if (e.type === "status") {
    log(p.event + " " + (p.source || "") + " " + (p.consumer || p.code || (p.active === undefined ? "" : p.active ? "on" : "off")));
  }
}

const events = new EventSource("/events" + (token ? "?token=" + encodeURIComponent(token) : ""));
events.onopen = () => { $("conn").textContent = "live"; };
events.onerror = () => { $("conn").textContent = "reconnecting…"; };
events.onmessage = (m) => onEnvelope(JSON.parse(m.data));
events.addEventListener("stats", (m) => {
  for (const st of JSON.parse(m.data).sources) { const s = card(st.source); s.stats = st; draw(s); }
});
// Plate history comes from the query API (framepipe api), proxied by this server.
$("search").onsubmit = async (ev) => {
  ev.preventDefault();
  const plate = $("plate").value.trim();
  if (!plate) return;
  const out = $("sightings");
  const res = await fetch("/api/plates/" + encodeURIComponent(plate), { headers: auth });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) { out.textContent = (body.error && body.error.message) || ("search failed: " + res.status); return; }
  const rows = body.items || [];
  out.textContent = "";
  const head = document.createElement("div");
  head.textContent = rows.length ? rows.length + " sighting(s) of " + plate : "no sighting of " + plate;
  out.append(head);
  const table = document.createElement("table");
  for (const r of rows) {
    const tr = table.insertRow();
    for (const v of [r.capturedAt || r.captured_at, r.source, r.plate, (r.confidence ?? "").toString().slice(0, 5)]) {
      tr.insertCell().textContent = v ?? "";
    }
  }
  out.append(table);
};
$("rec").onclick = async () => {
  const res = await fetch("/api/recording", {
    method: "POST", headers: { "content-type": "application/json", ...auth },
    body: JSON.stringify({ recording: !recording }),
  });
  if (!res.ok) log("recording command failed: " + res.status);
};
</script></body></html>
`;
