// tagpipe studio: plain JavaScript, no framework. Talks to the JSON API documented in the README.
"use strict";

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v);
  }
  for (const kid of kids.flat(Infinity)) if (kid !== null && kid !== undefined) e.append(kid);
  return e;
};
// fill replaces node's children with kids, flattening arrays and leaving out null and undefined.
const fill = (node, ...kids) => node.replaceChildren(...kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false));
const fmt = (x, d = 2) => (typeof x === "number" ? x.toFixed(d) : "");

const state = {
  token: sessionStorage.getItem("tagpipe-token") || "",
  info: null,          // GET /api/state
  saved: {},           // file name -> content on disk
  files: {},           // file name -> content being edited
  current: "",         // file shown in the editor
  draft: "",           // version of the last valid draft ("" while it equals the saved pack)
  errors: [],
  article: null,       // {id, title, body}
  gold: null,          // the gold labels of the article, when it comes from the gold file
  record: null,        // last POST /api/tag answer
};

// ---- API -------------------------------------------------------------------------------------------------
async function api(path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {});
  if (state.token) headers["Authorization"] = "Bearer " + state.token;
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, Object.assign({}, opts, { headers }));
  if (res.status === 401) {
    $("#auth").hidden = false;
    $("#token").focus();
    throw new Error("the access token is missing or wrong");
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok && !("ok" in data)) throw new Error(data.error || res.statusText);
  return data;
}
const post = (path, body) => api(path, { method: "POST", body: JSON.stringify(body) });

function flash(msg, isError) {
  const f = $("#flash");
  f.textContent = msg;
  f.className = isError ? "error" : "";
  f.hidden = !msg;
  clearTimeout(flash.t);
  if (msg && !isError) flash.t = setTimeout(() => (f.hidden = true), 4000);
}

// ---- views -----------------------------------------------------------------------------------------------
function show(view) {
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.view === view);
  for (const v of document.querySelectorAll(".view")) v.classList.toggle("active", v.id === "view-" + view);
  if (view === "eval") loadEval();
  if (view === "live") startLive();
  if (view === "rules") renderEditor();
}

function packState() {
  const v = state.info ? state.info.version : "";
  const draft = state.draft && state.draft !== v;
  $("#pack-state").textContent = (draft ? "draft " + state.draft + " · saved " : "rules ") + (v || "with errors: fix and save them") +
    (state.info && !state.info.writable ? " · embedded (read-only)" : "");
}

// ---- article view ----------------------------------------------------------------------------------------
async function pick(from, id) {
  const d = await api(`/api/article?from=${encodeURIComponent(from)}&id=${encodeURIComponent(id)}`);
  state.article = d.article;
  $("#title").value = d.article.title;
  $("#body").value = d.article.body;
  $("#pick").value = from + ":" + id;
  await tag();
}

async function tag() {
  const a = { title: $("#title").value, body: $("#body").value };
  if (state.article && state.article.title === a.title && state.article.body === a.body && state.article.id) a.id = state.article.id;
  state.article = a;
  const q = state.draft ? "?rules=" + encodeURIComponent(state.draft) : "";
  try {
    state.record = await api("/api/tag" + q, { method: "POST", body: JSON.stringify(a) });
  } catch (e) {
    flash("tag: " + e.message, true);
    return;
  }
  renderArticle();
}

const known = new Set(["rule", "text", "field", "start", "end", "label", "weight", "title_factor", "counted", "share", "decisive"]);

function renderArticle() {
  const rec = state.record;
  if (!rec) return;
  const ex = rec.explain || { scores: [], aliases: [] };
  const aliasOf = new Map((ex.aliases || []).map((a) => [a.entity, a.rule]));
  // marks: every highlight of the text, indexed by data-m on the spans.
  const marks = [];
  rec.entities.forEach((e, i) => marks.push({ kind: "ent", field: e.field, start: e.start, end: e.end, ent: e, rule: aliasOf.get(i) }));
  for (const s of ex.scores) {
    for (const ev of s.evidence || []) {
      marks.push({ kind: s.assigned ? "ev" : "under", field: ev.field, start: ev.start, end: ev.end, ev, score: s });
    }
  }
  const art = $("#rendered");
  fill(art, 
    el("h2", {}, highlight(rec.title || "", marks, "title")),
    el("div", { class: "body" }, highlight(rec.body || "", marks, "body")),
  );
  art.marks = marks;
  renderTopics($("#topics"), rec, ex, true);
  renderTopics($("#rules-topics"), rec, ex, false);
  renderEntities(rec);
}

// highlight splits a field at every mark boundary (offsets in code points) and wraps each piece in a span with
// the classes of the marks covering it.
function highlight(text, marks, field) {
  const cps = Array.from(text);
  const ms = marks.map((m, i) => [m, i]).filter(([m]) => m.field === field && m.start < m.end && m.end <= cps.length);
  const cuts = new Set([0, cps.length]);
  for (const [m] of ms) { cuts.add(m.start); cuts.add(m.end); }
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k], b = points[k + 1];
    const piece = cps.slice(a, b).join("");
    const cover = ms.filter(([m]) => m.start <= a && m.end >= b);
    if (!cover.length) { out.push(piece); continue; }
    const cls = [];
    const ent = cover.find(([m]) => m.kind === "ent");
    if (ent) cls.push("ent", "ent-" + ent[0].ent.type);
    if (cover.some(([m]) => m.kind === "ev")) cls.push("ev");
    else if (cover.some(([m]) => m.kind === "under")) cls.push("ev-under");
    out.push(el("span", { class: cls.join(" "), "data-m": cover.map(([, i]) => i).join(","), tabindex: "0" }, piece));
  }
  return out;
}

function tipFor(m) {
  const rows = [];
  const kv = (k, v) => el("div", {}, el("span", { class: "k", text: k + " " }), v);
  if (m.kind === "ent") {
    const e = m.ent;
    rows.push(el("div", {}, el("b", { text: e.canonical }), ` ${e.type}` + (e.id ? ` · ${e.id}` : "")));
    rows.push(kv("source", e.source + (e.demonym ? " · demonym" : "") + (e.implied ? " · implied" : "")));
    if (m.rule) rows.push(kv("rule", el("code", { text: m.rule })));
    rows.push(kv("as written", `“${e.text}”`));
  } else {
    const ev = m.ev, s = m.score;
    rows.push(el("div", {}, el("b", { text: s.label }), s.assigned ? " evidence" : " evidence, label under its threshold"));
    rows.push(kv("rule", el("code", { text: ev.rule })));
    const term = ev.rule.includes("/terms/") ? ev.rule.split("/terms/")[1] : "";
    rows.push(kv(term ? "term" : "matched", term ? `${term} (matched “${ev.text}”)` : `“${ev.text}”`));
    rows.push(kv("counted", `weight ${fmt(ev.weight, 2)} × ${ev.field === "title" ? "title " : ""}${fmt(ev.title_factor, 2)} = ${fmt(ev.counted, 2)}` +
      ` · ${Math.round((ev.share || 0) * 100)}% of raw ${fmt(s.raw, 2)} / threshold ${fmt(s.threshold, 2)}`));
    if (s.assigned) rows.push(kv("decisive", ev.decisive ? "yes: without this rule the label falls under its threshold" : "no"));
    for (const [k, v] of Object.entries(ev)) {
      if (!known.has(k)) rows.push(kv(k.replaceAll("_", " "), typeof v === "object" ? JSON.stringify(v) : String(v)));
    }
  }
  return el("div", { class: "m" }, rows);
}

function showTip(span) {
  const marks = $("#rendered").marks || [];
  const tip = $("#tip");
  const ms = span.dataset.m.split(",").map(Number).map((i) => marks[i]).filter(Boolean);
  // entities first, then assigned evidence, then under-threshold evidence
  const order = { ent: 0, ev: 1, under: 2 };
  ms.sort((a, b) => order[a.kind] - order[b.kind]);
  fill(tip, ...ms.map(tipFor));
  tip.hidden = false;
  const r = span.getBoundingClientRect();
  const left = Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 12);
  tip.style.left = Math.max(8, left) + "px";
  tip.style.top = window.scrollY + r.bottom + 6 + "px";
}

function renderTopics(list, rec, ex, full) {
  const gold = rec.gold ? new Set(rec.gold.topics.map((t) => t.toLowerCase())) : null;
  const byLabel = new Map(rec.topics.map((t) => [t.label, t]));
  const items = [];
  for (const s of ex.scores) {
    let cls = s.assigned ? "assigned" : "under", badge = null;
    if (gold && s.assigned) {
      badge = gold.has(s.label) ? el("span", { class: "badge ok", text: "gold" }) : el("span", { class: "badge false", text: "false" });
      if (!gold.has(s.label)) cls += " false";
    } else if (gold && gold.has(s.label)) {
      badge = el("span", { class: "badge missing", text: "missing" });
      cls += " missing";
    }
    if (s.blocked) badge = [badge, el("span", { class: "badge blocked", text: "requires not met" })];
    const bar = el("i");
    bar.style.width = Math.round(Math.min(1, s.score) * 100) + "%";
    const rules = [...new Set((s.evidence || []).map((e) => e.rule + (e.decisive ? " ★" : "")))];
    const extra = [];
    const t = byLabel.get(s.label);
    if (t) for (const [k, v] of Object.entries(t)) if (!["label", "score", "evidence"].includes(k)) extra.push(`${k} ${JSON.stringify(v)}`);
    items.push(el("li", { class: cls, "data-label": s.label },
      el("span", { class: "name", text: s.label }), badge,
      el("div", { class: "bar" }, bar),
      el("div", { class: "nums", text: `score ${fmt(s.score)} · raw ${fmt(s.raw)} / threshold ${fmt(s.threshold)}` + (s.assigned ? "" : " · not assigned") + (extra.length ? " · " + extra.join(" · ") : "") }),
      full ? el("div", { class: "rules", text: rules.join("  ") }) : null));
  }
  if (gold) {
    for (const l of gold) {
      if (!ex.scores.some((s) => s.label === l)) {
        items.push(el("li", { class: "under missing", "data-label": l }, el("span", { class: "name", text: l }),
          el("span", { class: "badge missing", text: "missing" }), el("div", { class: "nums", text: "no evidence" })));
      }
    }
  }
  if (!items.length) items.push(el("li", { class: "muted", text: "no label, none near its threshold" }));
  fill(list, ...items);
}

const norm = (s) => s.toLowerCase().replace(/[\s\-.'’‘]/g, "");

function renderEntities(rec) {
  const groups = new Map();
  for (const e of rec.entities) {
    const k = e.type + ":" + e.canonical;
    if (!groups.has(k)) groups.set(k, { e, n: 0 });
    groups.get(k).n++;
  }
  const gold = rec.gold ? rec.gold.entities : null;
  const inGold = (e) => gold.some((g) => g.type.toUpperCase() === e.type &&
    [g.canonical, ...(g.alt || [])].some((n) => norm(n) === norm(e.canonical)));
  const items = [...groups.values()].map(({ e, n }) => el("li", {},
    el("span", { class: "t", text: e.type }), el("span", { class: "ent ent-" + e.type, text: e.canonical }),
    n > 1 ? ` ×${n}` : "", e.source === "discovered" ? el("span", { class: "muted", text: " discovered" }) : null,
    gold && !inGold(e) ? el("span", { class: "badge false", text: "false" }) : null));
  if (gold) {
    for (const g of gold) {
      const found = [...groups.values()].some(({ e }) => g.type.toUpperCase() === e.type &&
        [g.canonical, ...(g.alt || [])].some((n) => norm(n) === norm(e.canonical)));
      if (!found) items.push(el("li", {}, el("span", { class: "t", text: g.type }), g.canonical, el("span", { class: "badge missing", text: "missing" })));
    }
  }
  fill($("#entities"), ...(items.length ? items : [el("li", { class: "muted", text: "none" })]));
}

// ---- rule editor -----------------------------------------------------------------------------------------
function renderFiles() {
  const bad = new Set(state.errors.map((e) => e.file));
  fill($("#files"), ...Object.keys(state.files).sort().map((n) =>
    el("button", { class: (n === state.current ? "active " : "") + (bad.has(n) ? "has-err" : ""), "data-file": n, text: n + (state.files[n] !== state.saved[n] ? " •" : ""),
      onclick: () => { state.current = n; renderEditor(); } })));
}

function renderEditor() {
  renderFiles();
  const src = $("#src");
  if (src.dataset.file !== state.current) {
    src.value = state.files[state.current] || "";
    src.dataset.file = state.current;
    src.scrollTop = 0;
  }
  renderGutter();
}

function renderGutter() {
  const n = $("#src").value.split("\n").length;
  const errLines = new Map();
  for (const e of state.errors) if (e.file === state.current && e.line) errLines.set(e.line, e.code + ": " + e.message);
  const g = $("#gutter");
  const lines = [];
  for (let i = 1; i <= n; i++) {
    lines.push(errLines.has(i) ? el("span", { class: "err", title: errLines.get(i), "data-line": i, text: String(i) }) : String(i));
    lines.push("\n");
  }
  fill(g, ...lines);
  g.scrollTop = $("#src").scrollTop;
}

function gotoPos(file, line, col) {
  state.current = file;
  renderEditor();
  const src = $("#src");
  const lines = src.value.split("\n");
  let off = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) off += lines[i].length + 1;
  off += Math.max(0, (col || 1) - 1);
  src.focus();
  src.setSelectionRange(off, off);
  const lh = parseFloat(getComputedStyle(src).lineHeight) || 19;
  src.scrollTop = Math.max(0, (line - 5) * lh);
  renderGutter();
}

let checkTimer = 0, checkSeq = 0;
function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(check, 250);
}

async function check() {
  const seq = ++checkSeq;
  const st = $("#check-status");
  st.textContent = "checking…";
  st.className = "";
  let d;
  try { d = await post("/api/rules/check", { files: state.files }); } catch (e) { st.textContent = e.message; st.className = "bad"; return; }
  if (seq !== checkSeq) return; // a newer edit is being checked
  state.errors = d.errors || [];
  renderErrors();
  renderFiles();
  renderGutter();
  $("#examples").classList.toggle("stale", !d.ok);
  if (!d.ok) {
    st.textContent = `${state.errors.length} problem${state.errors.length === 1 ? "" : "s"}`;
    st.className = "bad";
    $("#examples-sum").textContent = "(of the last valid pack)";
    return;
  }
  state.draft = d.version === state.info.version ? "" : d.version;
  st.textContent = "valid · " + d.version;
  st.className = "ok";
  packState();
  renderExamples(d.examples || []);
  if (state.article) await tag();
}

function renderErrors() {
  const list = $("#errors");
  if (!state.errors.length) { fill(list, el("li", { class: "ok", text: "none" })); return; }
  fill(list, ...state.errors.map((e) => el("li", { onclick: () => gotoPos(e.file, e.line, e.col) },
    el("code", { text: `${e.file}:${e.line}:${e.col}` }), ` ${e.code}: ${e.message}`)));
}

function renderExamples(xs) {
  const failed = xs.filter((x) => !x.pass).length;
  $("#examples-sum").textContent = `${xs.length - failed}/${xs.length} pass`;
  xs.sort((a, b) => a.pass - b.pass);
  fill($("#examples"), ...xs.map((x) => el("li", { class: x.pass ? "pass" : "fail", title: `${x.file}:${x.line}`,
    onclick: () => gotoPos(x.file, x.line, 1) }, x.name,
    x.missing ? el("span", { class: "muted", text: " missing " + x.missing.join(", ") }) : null,
    x.unexpected ? el("span", { class: "muted", text: " unexpected " + x.unexpected.join(", ") }) : null)));
}

async function save() {
  let d;
  try { d = await post("/api/rules/save", { files: state.files }); } catch (e) { flash("save: " + e.message, true); return; }
  if (!d.ok) { state.errors = d.errors || []; renderErrors(); renderGutter(); flash("not saved: the pack has problems", true); return; }
  state.saved = Object.assign({}, state.files);
  state.info.version = d.version;
  state.draft = "";
  packState();
  renderFiles();
  flash(d.written.length ? `saved ${d.written.join(", ")} (previous versions: ${d.backups.join(", ") || "none"})` : "nothing changed");
  $("#check-status").textContent = "saved · " + d.version;
}

async function diff() {
  const out = $("#diff-out");
  fill(out, el("p", { class: "muted", text: "tagging with both packs…" }));
  let d;
  try { d = await post("/api/diff", { files: state.files, over: $("#diff-over").value }); } catch (e) { fill(out, el("p", { class: "bad", text: e.message })); return; }
  if (d.ok === false) { fill(out, el("p", { text: "the draft has problems: fix them first" })); return; }
  const counts = [...Object.entries(d.labels), ...Object.entries(d.entities)].map(([k, c]) => el("tr", {},
    el("td", { text: k }), el("td", { text: "+" + c.gained }), el("td", { text: "−" + c.lost })));
  const f1 = d.f1 ? Object.entries(d.f1.labels).filter(([, c]) => Math.abs(c.delta) > 1e-9).map(([k, c]) => el("tr", {},
    el("td", { text: k }), el("td", { text: fmt(c.old, 3) }), el("td", { text: fmt(c.new, 3) }), el("td", { class: c.delta < 0 ? "low" : "", text: (c.delta > 0 ? "+" : "") + fmt(c.delta, 3) }))) : [];
  fill(out, 
    el("h3", { text: `Diff against saved: ${d.changed} of ${d.articles} articles change` }),
    counts.length ? el("table", { class: "num" }, el("tr", {}, el("th", { text: "label or entity" }), el("th", { text: "gained" }), el("th", { text: "lost" })), counts) : el("p", { class: "muted", text: "no label or entity changes" }),
    d.f1 ? el("p", { text: `topic F1 ${fmt(d.f1.topics.old, 3)} → ${fmt(d.f1.topics.new, 3)} · entity F1 ${fmt(d.f1.entities.old, 3)} → ${fmt(d.f1.entities.new, 3)}` }) : null,
    f1.length ? el("table", { class: "num" }, el("tr", {}, el("th", { text: "label F1" }), el("th", { text: "saved" }), el("th", { text: "draft" }), el("th", { text: "change" })), f1) : null,
    el("ul", { class: "misses" }, d.changes.map((c) => el("li", { onclick: () => openArticle(c.id, $("#diff-over").value) },
      el("code", { text: c.id }), " ", c.gained.map((x) => el("span", { class: "plus lbl", text: " +" + x })), c.lost.map((x) => el("span", { class: "minus lbl", text: " −" + x }))))),
  );
}

// ---- eval view -------------------------------------------------------------------------------------------
async function loadEval() {
  const q = state.draft ? "?rules=" + encodeURIComponent(state.draft) : "";
  let d;
  try { d = await api("/api/eval" + q); } catch (e) { $("#eval-head").textContent = e.message; return; }
  state.eval = d;
  fill($("#eval-head"), `${d.articles} gold articles, ${state.draft ? "draft" : "saved"} rules ${d.version}: topic F1 `,
    el("b", { text: fmt(d.topics.f1, 3) }), " · entity F1 ", el("b", { text: fmt(d.entities.f1, 3) }));
  const row = (s, cls) => el("tr", { class: cls || "" }, el("td", { text: s.name }), el("td", { text: fmt(s.p, 3) }), el("td", { text: fmt(s.r, 3) }),
    el("td", { class: s.f1 < 0.8 ? "low" : "", text: fmt(s.f1, 3) }), el("td", { text: s.tp }), el("td", { text: s.fp }), el("td", { text: s.fn }));
  fill($("#eval-labels"), el("tr", {}, ["label", "P", "R", "F1", "TP", "FP", "FN"].map((h) => el("th", { text: h }))),
    d.labels.map((s) => row(s)), row(d.topics, "micro"), (d.types || []).map((s) => row(s)), row(Object.assign({}, d.entities, { name: "entities" }), "micro"));
  fill($("#misses"), ...d.misses.map((m) => el("li", { "data-id": m.id, onclick: () => openArticle(m.id, "gold") },
    el("code", { text: m.id }), " ", m.title, el("br"),
    (m.missed_topics || []).map((x) => el("span", { class: "lbl minus", text: " −" + x })),
    (m.extra_topics || []).map((x) => el("span", { class: "lbl plus", text: " +" + x })),
    (m.missed_entities || []).map((x) => el("span", { class: "lbl minus", text: " −" + x })),
    (m.extra_entities || []).map((x) => el("span", { class: "lbl plus", text: " +" + x })))));
  renderRuleStats();
}

function renderRuleStats() {
  const d = state.eval;
  if (!d) return;
  const f = $("#rule-filter").value.toLowerCase();
  const fired = d.rules.filter((r) => r.fired > 0 && (!f || r.id.toLowerCase().includes(f)));
  fill($("#eval-rules"), 
    el("tr", {}, ["rule", "fired", "articles", "TP", "FP", "decisive TP", "decisive FP", "under", "redundant with"].map((h) => el("th", { text: h, class: h === "redundant with" ? "l" : "" }))),
    fired.slice(0, 200).map((r) => el("tr", {}, el("td", { class: "id", text: r.id }), el("td", { text: r.fired }), el("td", { text: r.articles }),
      el("td", { text: r.true_positive }), el("td", { class: r.false_positive ? "harm" : "", text: r.false_positive }),
      el("td", { text: r.decisive_true }), el("td", { class: r.decisive_false ? "harm" : "", text: r.decisive_false }),
      el("td", { text: r.under_threshold || 0 }), el("td", { class: "id", text: (r.redundant_with || []).join(", ") }))));
  const never = d.never_fired.filter((id) => !f || id.toLowerCase().includes(f));
  const topicNever = never.filter((id) => !id.startsWith("gazetteer/"));
  $("#eval-never").textContent = `Never fired: ${topicNever.length} topic rules, ${never.length - topicNever.length} gazetteer aliases. ` +
    topicNever.slice(0, 60).join(", ") + (topicNever.length > 60 ? " …" : "");
}

async function openArticle(id, from) {
  show("article");
  await pick(from || "gold", id);
}

// ---- live view -------------------------------------------------------------------------------------------
let liveAbort = null;
async function startLive() {
  if (!state.info || !state.info.live) { $("#live-state").textContent = "No live feed: start tagpipe studio with --brokers HOST:PORT --topic articles.tagged."; return; }
  if (liveAbort) liveAbort.abort();
  liveAbort = new AbortController();
  const q = new URLSearchParams({ label: $("#live-label").value, entity: $("#live-entity").value });
  fill($("#live-list"));
  fill($("#shadow-list"));
  $("#shadow-box").hidden = !state.info.shadow;
  $("#live-state").textContent = "connecting…";
  const headers = state.token ? { Authorization: "Bearer " + state.token } : {};
  try {
    const res = await fetch("/api/live?" + q, { headers, signal: liveAbort.signal });
    if (!res.ok) throw new Error(res.statusText);
    $("#live-state").textContent = "connected";
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.*)$/m.exec(frame), data = /^data: (.*)$/m.exec(frame);
        if (ev && data) liveEvent(ev[1], JSON.parse(data[1]));
      }
    }
  } catch (e) {
    if (e.name !== "AbortError") $("#live-state").textContent = "disconnected: " + e.message;
  }
}

function liveEvent(kind, d) {
  if (kind === "record") {
    const list = $("#live-list");
    list.prepend(el("li", {}, el("b", { text: d.title || "(no title)" }), " ", el("code", { class: "muted", text: d.id }),
      el("div", { class: "labels", text: d.labels.join(" · ") || "no labels" }),
      el("div", { class: "ents", text: d.entities.map((e) => e.split(":").slice(1).join(":")).join(", ") })));
    while (list.children.length > 300) list.lastChild.remove();
  } else if (kind === "counts") {
    fill($("#live-counts"), el("tr", {}, el("th", { text: "label" }), el("th", { text: "records" })),
      Object.entries(d.labels).sort((a, b) => b[1] - a[1]).map(([l, n]) => el("tr", {}, el("td", { text: l }), el("td", { text: n }))),
      el("tr", { class: "micro" }, el("td", { text: "all records" }), el("td", { text: d.total })));
    if (d.error) $("#live-state").textContent = "reading the topic failed, retrying: " + d.error;
    if (d.shadow) {
      const rows = Object.entries(d.shadow.counts).sort((a, b) => (b[1].gained + b[1].lost) - (a[1].gained + a[1].lost));
      fill($("#shadow-counts"), el("tr", {}, el("th", { text: "label or entity" }), el("th", { text: "gained" }), el("th", { text: "lost" })),
        rows.map(([k, n]) => el("tr", {}, el("td", { text: k }), el("td", { text: "+" + n.gained }), el("td", { text: "−" + n.lost }))),
        el("tr", { class: "micro" }, el("td", { text: "records changed" }), el("td", { text: d.shadow.changed }), el("td", { text: "" })));
    }
  } else if (kind === "shadow") {
    const list = $("#shadow-list");
    const parts = d.gained.map((x) => "+" + x).concat(d.lost.map((x) => "−" + x));
    list.prepend(el("li", {}, el("code", { text: d.id }), " ", el("span", { class: "labels", text: parts.join(" ") }),
      el("div", { class: "muted", text: (d.old_rules_version || "") + " → " + (d.new_rules_version || "") })));
    while (list.children.length > 300) list.lastChild.remove();
  }
}

// ---- start -----------------------------------------------------------------------------------------------
async function init() {
  state.info = await api("/api/state");
  state.saved = Object.assign({}, state.info.files);
  state.files = Object.assign({}, state.info.files);
  state.current = Object.keys(state.files).sort().find((n) => n.includes("topic")) || Object.keys(state.files).sort()[0];
  packState();
  const sel = $("#pick");
  const group = (label, from, list) => list.length ? el("optgroup", { label }, list.map((a) => el("option", { value: from + ":" + a.id, text: `${a.id} — ${a.title}` }))) : null;
  fill(sel, el("option", { value: "", text: "Pick an article…" }), group("gold", "gold", state.info.gold), group("corpus", "corpus", state.info.corpus));
  if (!state.info.gold.length) $("#diff-over").value = "corpus";
  $("#save-btn").disabled = !state.info.writable;
  if (!state.info.writable) $("#save-btn").title = "the embedded pack is read-only: start with --rules DIR";
  renderEditor();
  check();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => show(b.dataset.view));
  $("#tag-btn").addEventListener("click", tag);
  $("#body").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) tag(); });
  $("#pick").addEventListener("change", (e) => { const [from, ...id] = e.target.value.split(":"); if (from) pick(from, id.join(":")); });
  $("#upload").addEventListener("change", async (e) => {
    const f = e.target.files[0];
    if (!f) return;
    const text = await f.text();
    let a;
    if (/^\s*\{/.test(text)) { try { a = JSON.parse(text.trim().split("\n")[0]); } catch (err) { flash("upload: " + err.message, true); return; } }
    else { const lines = text.split("\n"); a = { title: lines[0].trim(), body: lines.slice(1).join("\n").trim() }; }
    state.article = { id: a.id || "", title: a.title || "", body: a.body || "" };
    $("#title").value = state.article.title;
    $("#body").value = state.article.body;
    tag();
  });
  const r = $("#rendered");
  r.addEventListener("mouseover", (e) => { const s = e.target.closest("[data-m]"); if (s) showTip(s); });
  r.addEventListener("mouseout", (e) => { if (e.target.closest("[data-m]")) $("#tip").hidden = true; });
  r.addEventListener("click", (e) => {
    const s = e.target.closest("[data-m]");
    for (const x of r.querySelectorAll(".sel")) x.classList.remove("sel");
    if (s) { s.classList.add("sel"); showTip(s); }
  });
  r.addEventListener("focusin", (e) => { const s = e.target.closest("[data-m]"); if (s) showTip(s); });
  const src = $("#src");
  src.addEventListener("input", () => { state.files[state.current] = src.value; renderFiles(); renderGutter(); scheduleCheck(); });
  src.addEventListener("scroll", () => { $("#gutter").scrollTop = src.scrollTop; });
  src.addEventListener("keydown", (e) => {
    if (e.key === "Tab") { e.preventDefault(); src.setRangeText("  ", src.selectionStart, src.selectionEnd, "end"); src.dispatchEvent(new Event("input")); }
    if (e.key === "s" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save(); }
  });
  $("#save-btn").addEventListener("click", save);
  $("#diff-btn").addEventListener("click", diff);
  $("#rule-filter").addEventListener("input", renderRuleStats);
  for (const id of ["#live-label", "#live-entity"]) $(id).addEventListener("change", startLive);
  $("#auth").addEventListener("submit", (e) => {
    e.preventDefault();
    state.token = $("#token").value;
    sessionStorage.setItem("tagpipe-token", state.token);
    $("#auth").hidden = true;
    init().catch((err) => flash(err.message, true));
  });
  init().catch((err) => flash(err.message, true));
});
