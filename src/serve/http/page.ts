/** GET /: a self-contained live page (no external loads) polling /status every second. */

export const LIVE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>qed-bench serve</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:2em;color:#222;background:#fafafa}
h1{font-size:1.3em;margin:0 0 .2em} .sub{color:#666;margin-bottom:1.5em}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(210px,1fr));gap:1em}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:1em}
.label{color:#666;font-size:.85em} .value{font-size:2em;font-variant-numeric:tabular-nums}
.bar{height:10px;background:#eee;border-radius:5px;overflow:hidden;margin-top:.4em}
.bar>div{height:100%;background:#3a7bd5;width:0}
.bar>div.over{background:#d53a3a}
canvas{width:100%;height:60px} #err{color:#b00}
</style></head><body>
<h1>qed-bench serve</h1><div class="sub" id="config">connecting…</div>
<div class="grid">
<div class="card"><div class="label">L2 cache hit rate (last second)</div><div class="value" id="hit-rate">–</div><canvas id="hit-chart" width="300" height="60"></canvas></div>
<div class="card"><div class="label">cache entries / capacity</div><div class="value" id="entries">–</div><div class="bar"><div id="entries-bar"></div></div></div>
<div class="card"><div class="label">metadata reads per second</div><div class="value" id="md-reads">–</div><canvas id="md-chart" width="300" height="60"></canvas></div>
<div class="card"><div class="label">client requests per second</div><div class="value" id="req-rate">–</div><div class="label" id="conns"></div></div>
</div>
<p class="label">updated every second from <a href="/status">/status</a>; Prometheus at <a href="/metrics">/metrics</a>. <span id="updated"></span> <span id="err"></span></p>
<script>
"use strict";
let prev = null; const hits = [], mds = [];
const $ = (id) => document.getElementById(id);
function chart(id, values, max) {
  const c = $(id), g = c.getContext("2d"); g.clearRect(0, 0, c.width, c.height);
  g.strokeStyle = "#3a7bd5"; g.lineWidth = 2; g.beginPath();
  values.forEach((v, i) => { const x = (i / 59) * c.width, y = c.height - (max ? (v / max) * (c.height - 4) : 0) - 2; i ? g.lineTo(x, y) : g.moveTo(x, y); });
  g.stroke();
}
function push(a, v) { a.push(v); if (a.length > 60) a.shift(); }
async function tick() {
  try {
    const s = await (await fetch("/status", { cache: "no-store" })).json();
    const c = s.cache, cfg = s.config;
    $("config").textContent = cfg.image + " · " + (cfg.readOnly ? "read-only" : "read-write") + " · cache " + cfg.cache.size + " tables, " + cfg.cache.policy + (cfg.nbd ? " · " + cfg.nbd : "");
    const reqs = Object.values(s.clients.ops).reduce((n, o) => n + o.requests, 0);
    if (prev) {
      const dt = Math.max(1e-3, s.uptimeSeconds - prev.t), dl = c.lookups - prev.lookups;
      const hr = dl > 0 ? (c.hits - prev.hits) / dl : null;
      $("hit-rate").textContent = hr === null ? "idle" : (hr * 100).toFixed(1) + " %";
      push(hits, hr === null ? 0 : hr); chart("hit-chart", hits, 1);
      const md = (s.metadata.readOps - prev.md) / dt;
      $("md-reads").textContent = md.toFixed(0); push(mds, md); chart("md-chart", mds, Math.max(1, ...mds));
      $("req-rate").textContent = ((reqs - prev.reqs) / dt).toFixed(0);
    } else {
      $("hit-rate").textContent = (c.hitRate * 100).toFixed(1) + " %";
    }
    $("entries").textContent = c.entries + " / " + c.capacity;
    const bar = $("entries-bar"); bar.style.width = Math.min(100, (c.entries / c.capacity) * 100) + "%"; bar.className = c.entries > c.capacity ? "over" : "";
    const k = s.clients.connections; $("conns").textContent = "connections: nbd " + k.nbd.open + ", http " + k.http.open;
    $("updated").textContent = "uptime " + s.uptimeSeconds.toFixed(0) + " s"; $("err").textContent = "";
    prev = { t: s.uptimeSeconds, lookups: c.lookups, hits: c.hits, md: s.metadata.readOps, reqs };
    document.body.dataset.ticks = String(Number(document.body.dataset.ticks || 0) + 1);
  } catch (e) { $("err").textContent = "cannot reach the server: " + e; }
}
tick(); setInterval(tick, 1000);
</script></body></html>
`;
