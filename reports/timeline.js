// The HTML report's interactive timeline (embedded in every report by CMakeLists.txt; no network, no
// libraries). It reads the JSON in <script id="seedbed-data"> that reports/html.cc writes:
//   meta       {scenario, variant, seed, end, vt (violation time or -1), invariant}
//   procs      [name]                      process index -> name; the kernel is last
//   rows       [[proc, task name]]         one row per task name of a process (every incarnation)
//   spans      [[row, start, end, class (0 store, 1 disk, 2 client), name, detail, outcome, flags, op]]
//              flags: 1 injected fault, 2 named by the first violation, 4 ok, 8 outcome unknown
//   holds      [[row, start, end, "file" | "mutex" | "lease", label, detail, named]]
//   arrows     [[from row, from t, to row, to t, "message" | "lock" | "wake" | "read", label]]
//   states     [[row, t, key, value]]      engine state (Runtime::State): a band per (row, key)
//   marks      [[row or -1, proc or -1, t, kind, detail, named]]  crashes, restarts, faults, ...
//   events     [[t, row, kind, detail]]    key trace events, for the detail panel
//   ops        [[id, client, type, key, value, read, invoke, complete, status, error, final, row]]
//   violations [{invariant, message, t, evidence, ops, objects}]
// Times are simulated nanoseconds. Drawing is on canvases; only what is in view is drawn.
(function () {
  'use strict';
  const started = performance.now();
  const D = JSON.parse(document.getElementById('seedbed-data').textContent);
  const root = document.getElementById('tl');
  const END = Math.max(1, D.meta.end);
  const LABEL_W = 210, GROUP_H = 18, ROW_H = 22, STATE_H = 15, AXIS_H = 22;
  const ARROW_COLORS = {message: '#1f6fd1', lock: '#8e44ad', wake: '#1a9850', read: '#d9480f'};
  const HOLD_COLORS = {file: '#2a9d8f', mutex: '#9b59b6', lease: '#c98b00'};
  const ARROW_NAMES = {message: 'messages', lock: 'lock hand-offs', wake: 'notify / wake', read: 'put \u2192 get'};

  // ------------------------------------------------------------------ the page's controls
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const bar = el('div', {class: 'tl-bar'});
  const search = el('input', {id: 'tl-search', type: 'search', size: '34',
    placeholder: 'search (process:n1 task:flush key:k3 path:wal/)'});
  const onlyRows = el('input', {id: 'tl-only', type: 'checkbox'});
  const matchInfo = el('span', {id: 'tl-matches', class: 'muted'});
  const axisSel = el('select', {id: 'tl-axis'});
  axisSel.append(el('option', {value: 'linear'}, 'linear time'), el('option', {value: 'compressed'}, 'compressed gaps'));
  const fitBtn = el('button', {id: 'tl-fit', type: 'button'}, 'whole run');
  const focusBtn = el('button', {id: 'tl-focus', type: 'button'}, 'the violation');
  bar.append(search, el('label', {}, ' '), onlyRows, el('label', {for: 'tl-only'}, 'only matching lanes '), matchInfo,
    el('span', {class: 'sep'}), axisSel, fitBtn, focusBtn, el('span', {class: 'sep'}), el('b', {}, 'arrows: '));
  const arrowBoxes = {};
  for (const kind of Object.keys(ARROW_COLORS)) {
    const n = D.arrows.filter(a => a[4] === kind).length;
    const box = el('input', {type: 'checkbox', id: 'tl-arrow-' + kind});
    box.checked = kind !== 'wake' || n < 400;
    arrowBoxes[kind] = box;
    const lab = el('label', {for: box.id, style: 'color:' + ARROW_COLORS[kind]}, ARROW_NAMES[kind] + ' (' + n + ') ');
    bar.append(box, lab);
  }
  const help = el('div', {class: 'muted'},
    'Wheel or W/S: zoom at the pointer; drag, shift+wheel or A/D: pan; 0: whole run; F: the violation; ' +
    'click anything for its detail. Red outline: named by the violation; grey band on a process: down ' +
    '(crash to restart); thin strip above a lane: a file handle open (teal), a mutex held (purple), a lease ' +
    'held (gold: a writer\'s epoch, a Raft leader\'s term).');
  const mini = el('canvas', {id: 'tl-mini', class: 'tl-mini'});
  const canvas = el('canvas', {id: 'tl-canvas', class: 'tl-canvas', tabindex: '0'});
  const vioBox = el('div', {id: 'tl-violations', class: 'tl-violations'});
  const detail = el('div', {id: 'tl-detail', class: 'tl-detail'});
  detail.textContent = 'Click an operation, a mark or a band for its detail and its trace events.';
  const keyHead = el('h2', {}, 'Per-key history');
  const keySel = el('select', {id: 'tl-key'});
  const keyInfo = el('span', {class: 'muted', id: 'tl-key-info'});
  const keyCanvas = el('canvas', {id: 'tl-keycanvas', class: 'tl-canvas'});
  root.append(bar, help, vioBox, mini, canvas, detail, keyHead, keySel, keyInfo, keyCanvas);
  const selftest = el('pre', {id: 'selftest'});
  if (location.hash === '#selftest') root.append(selftest);

  // ------------------------------------------------------------------ the model
  const nProcs = D.procs.length;
  const rowsOfProc = [];
  for (let p = 0; p < nProcs; ++p) rowsOfProc.push([]);
  D.rows.forEach((r, i) => rowsOfProc[r[0]].push(i));
  // State sub-rows: one per (row, key), under the row.
  const stateKeys = D.rows.map(() => []);
  const bands = [];  // {row, key, t0, t1, value}
  {
    const last = new Map();
    for (const [row, t, key, value] of D.states) {
      if (!stateKeys[row].includes(key)) stateKeys[row].push(key);
      const id = row + '\u0000' + key;
      const prev = last.get(id);
      if (prev) prev.t1 = t;
      const b = {row, key, t0: t, t1: END, value};
      bands.push(b);
      last.set(id, b);
    }
  }
  // Down intervals per process: from a crash to the next restart.
  const down = [];
  {
    const open = new Map();
    for (const m of D.marks) {
      if (m[1] < 0) continue;
      if (m[3] === 'crash' && !open.has(m[1])) open.set(m[1], m[2]);
      if (m[3] === 'restart' && open.has(m[1])) { down.push([m[1], open.get(m[1]), m[2]]); open.delete(m[1]); }
    }
    for (const [p, t] of open) down.push([p, t, END]);
  }
  const opById = new Map(D.ops.map(o => [o[0], o]));
  // Level of detail: each row's spans sorted by start (with the row's longest span, so a binary
  // search finds the first one that can reach into view), and the marks sorted by time.
  const spanIdx = D.rows.map(() => []);
  D.spans.forEach((s, i) => spanIdx[s[0]].push(i));
  spanIdx.forEach(a => a.sort((i, j) => D.spans[i][1] - D.spans[j][1]));
  const spanStart = spanIdx.map(a => Float64Array.from(a, i => D.spans[i][1]));
  const spanMaxDur = spanIdx.map(a => a.reduce((m, i) => Math.max(m, D.spans[i][2] - D.spans[i][1]), 0));
  const markIdx = D.marks.map((m, i) => i).sort((a, b) => D.marks[a][2] - D.marks[b][2]);
  const markT = Float64Array.from(markIdx, i => D.marks[i][2]);
  function lowerBound(arr, v) {  // first index with arr[i] >= v
    let lo = 0, hi = arr.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (arr[mid] < v) lo = mid + 1; else hi = mid; }
    return lo;
  }

  // Which items the selected violation names: its ops, and whatever mentions one of its objects.
  let vio = D.violations.length ? 0 : -1;
  let named = {spans: new Set(), holds: new Set(), marks: new Set(), ops: new Set(), bands: new Set(), rows: new Set()};
  // An object "raft g1" names every band of that state key; "raft g1 = leader term 2" one value;
  // "mutex M" the holds of mutex M (and, as text, its block events); "task P/T" that task's lane.
  function computeNamed() {
    named = {spans: new Set(), holds: new Set(), marks: new Set(), ops: new Set(), bands: new Set(), rows: new Set()};
    if (vio < 0) return;
    const v = D.violations[vio];
    const objs = v.objects.filter(o => o);
    const mentions = text => objs.some(o => text.indexOf(o) >= 0);
    v.ops.forEach(id => named.ops.add(id));
    D.spans.forEach((s, i) => { if ((s[8] >= 0 && named.ops.has(s[8])) || mentions(s[5])) named.spans.add(i); });
    // A lease only by its exact name ("lease raft g1 leader term 2"; "raft g1" names the bands).
    D.holds.forEach((h, i) => {
      if (h[3] === 'lease' ? objs.includes('lease ' + h[4]) : mentions(h[4]) || mentions(h[3] + ' ' + h[4])) named.holds.add(i);
    });
    D.rows.forEach((r, i) => { if (objs.includes('task ' + D.procs[r[0]] + '/' + r[1])) named.rows.add(i); });
    D.marks.forEach((m, i) => { if (m[3] === 'violation' || mentions(m[4])) named.marks.add(i); });
    // A named value ("raft g1 = leader term 2") outlines its bands; a bare key only when no value is named.
    const exact = objs.filter(o => o.indexOf(' = ') >= 0);
    bands.forEach((b, i) => {
      if (exact.length ? exact.includes(b.key + ' = ' + b.value) : objs.includes(b.key)) named.bands.add(i);
    });
  }
  computeNamed();

  // ------------------------------------------------------------------ layout
  let rowY = [], stateY = [], groupY = [], height = 0, visibleRows = null;
  function layout() {
    rowY = D.rows.map(() => -1);
    stateY = D.rows.map(() => []);
    groupY = [];
    let y = AXIS_H;
    for (let p = 0; p < nProcs; ++p) {
      const rows = rowsOfProc[p].filter(r => !visibleRows || visibleRows.has(r));
      if (!rows.length) continue;
      groupY.push([p, y, 0]);
      y += GROUP_H;
      for (const r of rows) {
        rowY[r] = y;
        y += ROW_H;
        for (let k = 0; k < stateKeys[r].length; ++k) { stateY[r].push(y); y += STATE_H; }
      }
      groupY[groupY.length - 1][2] = y;
    }
    height = y + 6;
  }
  layout();

  // ------------------------------------------------------------------ the time axis
  // Linear: u = t. Compressed: every instant where something happens gets a column, and the gap
  // between two instants grows with the log of its length (the report's former static view).
  let mode = 'linear';
  let compT = null, compU = null;
  function buildCompressed() {
    const ts = [0, END];
    for (const s of D.spans) ts.push(s[1], s[2]);
    for (const m of D.marks) ts.push(m[2]);
    for (const h of D.holds) ts.push(h[1], h[2]);
    for (const s of D.states) ts.push(s[1]);
    ts.sort((a, b) => a - b);
    compT = [];
    compU = [];
    let u = 0, last = ts[0];
    for (const t of ts) {
      if (compT.length && t === compT[compT.length - 1]) continue;
      u += compT.length ? 4 + 14 * Math.log10(1 + (t - last) / 1e5) : 0;
      compT.push(t);
      compU.push(u);
      last = t;
    }
  }
  function bsearch(arr, v) {  // last index with arr[i] <= v
    let lo = 0, hi = arr.length - 1;
    if (v < arr[0]) return -1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (arr[mid] <= v) lo = mid; else hi = mid - 1; }
    return lo;
  }
  function toU(t) {
    if (mode === 'linear') return t;
    const i = bsearch(compT, t);
    if (i < 0) return compU[0];
    if (i >= compT.length - 1) return compU[compT.length - 1];
    const f = (t - compT[i]) / Math.max(1, compT[i + 1] - compT[i]);
    return compU[i] + f * (compU[i + 1] - compU[i]);
  }
  function fromU(u) {
    if (mode === 'linear') return u;
    const i = bsearch(compU, u);
    if (i < 0) return compT[0];
    if (i >= compU.length - 1) return compT[compT.length - 1];
    const f = (u - compU[i]) / Math.max(1e-9, compU[i + 1] - compU[i]);
    return compT[i] + f * (compT[i + 1] - compT[i]);
  }
  const fullU = () => [toU(0), toU(END)];
  let view = fullU();
  let W = 1200;
  const X = t => LABEL_W + (toU(t) - view[0]) / (view[1] - view[0]) * (W - LABEL_W - 8);
  const tAtX = x => fromU(view[0] + (x - LABEL_W) / (W - LABEL_W - 8) * (view[1] - view[0]));
  function setView(u0, u1) {
    const [f0, f1] = fullU();
    const minW = mode === 'linear' ? 50 : 0.5;  // 50 ns
    let w = Math.max(minW, Math.min(u1 - u0, (f1 - f0) * 1.02));
    u0 = Math.max(f0 - (f1 - f0) * 0.01, Math.min(u0, f1 - w + (f1 - f0) * 0.01));
    view = [u0, u0 + w];
    schedule();
  }
  function zoom(factor, x) {
    const u = view[0] + (x - LABEL_W) / (W - LABEL_W - 8) * (view[1] - view[0]);
    setView(u - (u - view[0]) * factor, u + (view[1] - u) * factor);
  }
  function pan(px) {
    const du = px / (W - LABEL_W - 8) * (view[1] - view[0]);
    setView(view[0] + du, view[1] + du);
  }
  function zoomToTimes(t0, t1) {
    const u0 = toU(t0), u1 = toU(t1);
    const pad = Math.max((u1 - u0) * 0.15, mode === 'linear' ? Math.max(2000, END * 0.005) : 8);
    setView(u0 - pad, u1 + pad);
  }
  function focusViolation() {
    if (vio < 0) { setView(...fullU()); return; }
    // The named holds still held when the violation was detected (the cause, e.g. a file kept
    // open), and the last few named ops before it.
    let t0 = Infinity, t1 = -Infinity;
    const vt = D.violations[vio].t >= 0 ? D.violations[vio].t : END;
    named.holds.forEach(i => { const h = D.holds[i]; if (h[1] <= vt && h[2] >= vt) { t0 = Math.min(t0, h[1]); t1 = Math.max(t1, Math.min(h[2], vt)); } });
    const before = [...named.spans].map(i => D.spans[i]).filter(s => s[1] <= vt).sort((a, b) => b[2] - a[2]).slice(0, 6);
    for (const s of before) { t0 = Math.min(t0, s[1]); t1 = Math.max(t1, s[2]); }
    if (t0 === Infinity) {  // nothing with a time named (e.g. only state keys): the run up to it
      named.bands.forEach(i => { const b = bands[i]; if (b.t1 - b.t0 < END) { t0 = Math.min(t0, b.t0); t1 = Math.max(t1, b.t1); } });
      if (t0 === Infinity) { t0 = Math.max(0, vt - END * 0.1); t1 = vt; }
    }
    t0 = Math.min(t0, vt);
    t1 = Math.max(t1, vt);
    zoomToTimes(t0, t1);
  }

  // ------------------------------------------------------------------ search
  let query = null, matches = {spans: new Set(), holds: new Set(), marks: new Set(), rows: new Set()};
  function parseQuery(q) {
    q = q.trim().toLowerCase();
    if (!q) return null;
    return q.split(/\s+/).map(term => {
      const m = term.match(/^(process|task|key|object|path):(.*)$/);
      return m ? {field: m[1], text: m[2]} : {field: 'any', text: term};
    });
  }
  function itemMatches(terms, row, fields) {
    const proc = D.procs[D.rows[row][0]].toLowerCase(), task = D.rows[row][1].toLowerCase();
    return terms.every(({field, text}) => {
      if (field === 'process') return proc.indexOf(text) >= 0;
      if (field === 'task') return task.indexOf(text) >= 0;
      if (field === 'key') return (fields.key || '').toLowerCase() === text || (fields.key || '').toLowerCase().indexOf(text) === 0;
      if (field === 'path' || field === 'object') return (fields.path || '').toLowerCase().indexOf(text) >= 0;
      return (proc + ' ' + task + ' ' + fields.text).toLowerCase().indexOf(text) >= 0;
    });
  }
  function spanKey(s) {  // a client op's key
    return s[3] === 2 ? s[5].split(/[= ]/)[0] : '';
  }
  function runSearch() {
    query = parseQuery(search.value);
    matches = {spans: new Set(), holds: new Set(), marks: new Set(), rows: new Set()};
    if (query) {
      D.spans.forEach((s, i) => {
        const path = s[3] === 2 ? '' : s[5].split(' ')[0];
        if (itemMatches(query, s[0], {text: s[4] + ' ' + s[5] + ' ' + s[6], key: spanKey(s), path})) {
          matches.spans.add(i); matches.rows.add(s[0]);
        }
      });
      D.holds.forEach((h, i) => {
        if (itemMatches(query, h[0], {text: h[3] + ' ' + h[4] + ' ' + h[5], path: h[4]})) { matches.holds.add(i); matches.rows.add(h[0]); }
      });
      D.marks.forEach((m, i) => {
        const row = m[0] >= 0 ? m[0] : rowsOfProc[m[1]][0];
        if (row !== undefined && itemMatches(query, row, {text: m[3] + ' ' + m[4], path: m[4]})) { matches.marks.add(i); matches.rows.add(row); }
      });
    }
    visibleRows = query && onlyRows.checked ? matches.rows : null;
    layout();
    const n = matches.spans.size + matches.holds.size + matches.marks.size;
    matchInfo.textContent = query ? n + ' match' + (n === 1 ? '' : 'es') + ' (Enter: next) ' : '';
    matchCursor = -1;
    schedule();
    return n;
  }
  let matchCursor = -1;
  function nextMatch() {
    const list = [...matches.spans].map(i => D.spans[i]).sort((a, b) => a[1] - b[1]);
    if (!list.length) return;
    matchCursor = (matchCursor + 1) % list.length;
    const s = list[matchCursor];
    zoomToTimes(s[1], s[2]);
    showSpan(D.spans.indexOf(s));
  }

  // ------------------------------------------------------------------ drawing
  let ctx = null, dpr = 1, pending = false, stats = {spans: 0, arrows: 0, bands: 0, marks: 0};
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; draw(); });
  }
  function resize(c, w, h) {
    dpr = window.devicePixelRatio || 1;
    c.style.width = w + 'px';
    c.style.height = h + 'px';
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    return g;
  }
  function fmtT(ns) {
    const a = Math.abs(ns);
    if (a >= 1e9) return (ns / 1e9).toFixed(a >= 1e11 ? 1 : 3) + 's';
    if (a >= 1e6) return (ns / 1e6).toFixed(3) + 'ms';
    if (a >= 1e3) return (ns / 1e3).toFixed(3) + '\u00b5s';
    return ns + 'ns';
  }
  function spanFill(s) {
    const f = s[7], ok = f & 4;
    if (s[3] === 2) return ok ? '#7cc47c' : (f & 8 ? '#cfcfcf' : '#f2c14e');
    if (f & 1) return '#ff9f4a';
    return s[3] === 1 ? (ok ? '#9fd6cf' : '#e9b7a6') : (ok ? '#8db9e3' : '#e9b7a6');
  }
  const bandColor = v => {
    const w = v.split(' ')[0];
    const known = {leader: '#f4c542', candidate: '#f39c6b', follower: '#c9d6e8', halted: '#e06666'};
    if (known[w]) return known[w];
    let h = 0;
    for (const c of w) h = (h * 31 + c.charCodeAt(0)) % 360;
    return 'hsl(' + h + ',55%,78%)';
  };
  function drawAxis(g) {
    g.fillStyle = '#fff';
    g.fillRect(0, 0, W, AXIS_H);
    g.strokeStyle = '#e4e4e4';
    g.fillStyle = '#555';
    g.font = '10px DejaVu Sans Mono, monospace';
    const t0 = tAtX(LABEL_W), t1 = tAtX(W - 8);
    const ticks = [];
    if (mode === 'linear') {
      const raw = (t1 - t0) / 10, p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
      const step = [1, 2, 5, 10].map(m => m * p).find(s => s >= raw) || p * 10;
      for (let t = Math.ceil(t0 / step) * step; t <= t1 && ticks.length < 40; t += step) ticks.push(t);
    } else {
      let nextX = LABEL_W;
      for (let x = LABEL_W; x < W - 8; x += 4) {
        if (x < nextX) continue;
        ticks.push(tAtX(x));
        nextX = x + 110;
      }
    }
    for (const t of ticks) {
      const x = X(t);
      g.beginPath(); g.moveTo(x + 0.5, AXIS_H - 6); g.lineTo(x + 0.5, height); g.stroke();
      g.fillText(fmtT(t), x + 2, 12);
    }
    g.fillText(mode === 'linear' ? 'linear' : 'compressed', 6, 12);
  }
  function visible(t0, t1) { return X(t1) >= LABEL_W - 2 && X(t0) <= W; }
  function clipX(x) { return Math.max(LABEL_W, Math.min(W, x)); }
  function draw() {
    W = Math.max(800, root.clientWidth || 1200);
    const g = ctx = resize(canvas, W, height);
    stats = {spans: 0, arrows: 0, bands: 0, marks: 0};
    g.clearRect(0, 0, W, height);
    g.font = '11px DejaVu Sans Mono, monospace';
    // Lanes.
    for (const [p, y0, y1] of groupY) {
      g.fillStyle = '#e4e8ee';
      g.fillRect(0, y0, W, GROUP_H);
      g.fillStyle = '#223';
      g.font = 'bold 11px DejaVu Sans Mono, monospace';
      g.fillText(D.procs[p], 6, y0 + 13);
      g.font = '11px DejaVu Sans Mono, monospace';
      let alt = 0;
      for (const r of rowsOfProc[p]) {
        if (rowY[r] < 0) continue;
        g.fillStyle = alt++ % 2 ? '#f6f7f9' : '#fff';
        g.fillRect(0, rowY[r], W, ROW_H + STATE_H * stateKeys[r].length);
        g.fillStyle = matches.rows.has(r) ? '#b35c00' : '#333';
        if (named.rows.has(r)) {  // a task the violation names: its lane's label in red, a red edge
          g.fillStyle = '#d62728'; g.fillRect(0, rowY[r], 5, ROW_H);
          g.font = 'bold 11px DejaVu Sans Mono, monospace'; g.fillStyle = '#b3001b';
        }
        g.fillText(D.rows[r][1].slice(0, 26), 16, rowY[r] + 15);
        g.font = '11px DejaVu Sans Mono, monospace';
        g.fillStyle = '#778';
        stateKeys[r].forEach((k, j) => g.fillText('\u2937 ' + k.slice(0, 22), 24, stateY[r][j] + 11));
      }
      // Down: from a crash to its restart.
      for (const [dp, a, b] of down) {
        if (dp !== p || !visible(a, b)) continue;
        g.fillStyle = 'rgba(120,120,120,0.18)';
        g.fillRect(clipX(X(a)), y0, Math.max(2, clipX(X(b)) - clipX(X(a))), y1 - y0);
      }
    }
    drawAxis(g);
    g.save();
    g.beginPath(); g.rect(LABEL_W, 0, W - LABEL_W, height); g.clip();
    // Engine state bands.
    for (let bi = 0; bi < bands.length; ++bi) {
      const b = bands[bi], y = rowY[b.row];
      if (y < 0 || !visible(b.t0, b.t1)) continue;
      const j = stateKeys[b.row].indexOf(b.key), yy = stateY[b.row][j];
      const x0 = clipX(X(b.t0)), x1 = clipX(X(b.t1));
      g.fillStyle = bandColor(b.value);
      g.fillRect(x0, yy + 1, Math.max(1, x1 - x0 - 1), STATE_H - 2);
      const nb = named.bands.has(bi);
      if (nb) { g.strokeStyle = '#d62728'; g.lineWidth = 2; g.strokeRect(x0, yy + 1, Math.max(1, x1 - x0 - 1), STATE_H - 2); }
      if (x1 - x0 > 40) { g.fillStyle = '#222'; g.font = '9px DejaVu Sans Mono, monospace'; g.fillText(b.value.slice(0, Math.floor((x1 - x0) / 5.6)), x0 + 2, yy + 11); }
      ++stats.bands;
    }
    // Holds: a strip above the lane's ops.
    const holdLabels = [];
    D.holds.forEach((h, i) => {
      const y = rowY[h[0]];
      if (y < 0 || !visible(h[1], h[2])) return;
      const x0 = X(h[1]), x1 = Math.max(X(h[2]), x0 + 2);
      const dim = query && !matches.holds.has(i);
      g.globalAlpha = dim ? 0.15 : 1;
      g.fillStyle = HOLD_COLORS[h[3]] || '#9b59b6';
      const nh = named.holds.has(i);
      g.fillRect(x0, y + 1, x1 - x0, nh || h[3] === 'lease' ? 5 : 3);
      if (nh) {
        g.strokeStyle = '#d62728'; g.lineWidth = 2; g.strokeRect(x0, y, x1 - x0, 6);
        holdLabels.push([x0, y + 15, (h[3] === 'file' ? 'holds ' + h[4] + ' open' : 'holds ' + h[4]) + ' (' + fmtT(h[2] - h[1]) + ')']);
      } else if (h[3] === 'lease' && x1 - x0 > 80) {
        holdLabels.push([Math.max(x0, LABEL_W + 1), y + 15, h[4], '#7a5600']);
      }
      g.globalAlpha = 1;
    });
    // Spans. Only each row's spans that reach into view are visited; zoomed out, the ops under one
    // pixel column of a row are drawn as one density mark (taller and darker with more ops, orange
    // if one was a fault, pink if one failed); named, matched and selected ops are always drawn.
    g.font = '9px DejaVu Sans Mono, monospace';
    const labels = [];
    const tv0 = tAtX(LABEL_W - 2), tv1 = tAtX(W);
    const colN = new Uint16Array(Math.ceil(W) + 2), colF = new Uint8Array(Math.ceil(W) + 2);
    stats.aggregated = 0;
    for (let r = 0; r < D.rows.length; ++r) {
      const y = rowY[r];
      if (y < 0 || !spanIdx[r].length) continue;
      const idx = spanIdx[r], starts = spanStart[r];
      const touched = [];
      for (let k = lowerBound(starts, tv0 - spanMaxDur[r]); k < idx.length && starts[k] <= tv1; ++k) {
        const i = idx[k], s = D.spans[i];
        if (s[2] < tv0) continue;
        const x0 = X(s[1]), xe = X(s[2]);
        const isNamed = named.spans.has(i), hot = query && matches.spans.has(i);
        if (xe - x0 < 1 && !isNamed && !hot && selected !== 'span' + i) {
          const px = Math.max(0, Math.min(colN.length - 1, Math.floor(x0)));
          if (!colN[px]) touched.push(px);
          if (colN[px] < 65535) ++colN[px];
          colF[px] |= (s[7] & 1 ? 1 : 0) | (s[7] & 4 ? 0 : 2);
          continue;
        }
        const x1 = Math.max(xe, x0 + 2);
        const dim = query && !hot;
        g.globalAlpha = dim ? 0.15 : 1;
        g.fillStyle = spanFill(s);
        g.fillRect(x0, y + 6, x1 - x0, ROW_H - 9);
        if (isNamed || hot || selected === 'span' + i) {
          g.strokeStyle = selected === 'span' + i ? '#000' : isNamed ? '#d62728' : '#e67700';
          g.lineWidth = isNamed ? 2.5 : 1.5;
          g.strokeRect(x0, y + 6, x1 - x0, ROW_H - 9);
          if (isNamed) labels.push([x0, y + 5, s[4] + ' ' + s[5].split(' ')[0] + ' \u2192 ' + s[6].slice(0, 24)]);
        } else if (x1 - x0 > 60) {
          g.fillStyle = '#123';
          g.fillText((s[4] + ' ' + s[5]).slice(0, Math.floor((x1 - x0) / 5.5)), Math.max(x0, LABEL_W) + 2, y + 16);
        }
        g.globalAlpha = 1;
        ++stats.spans;
      }
      g.globalAlpha = query ? 0.15 : 1;
      for (const px of touched) {
        const n = colN[px], f = colF[px];
        const h = Math.min(ROW_H - 9, 3 + 2.5 * Math.log2(1 + n));
        g.fillStyle = f & 1 ? '#ff9f4a' : f & 2 ? '#d9967f' : (n > 8 ? '#4f86bf' : '#8db9e3');
        g.fillRect(px, y + 6 + (ROW_H - 9 - h), 1, h);
        colN[px] = 0; colF[px] = 0;
        ++stats.aggregated;
      }
      g.globalAlpha = 1;
    }
    // Marks: crash X across the process, restart triangle, fault diamond, crash point square. Only
    // those in view; of the same kind on one lane, one per 3 pixels (named and matched ones always).
    const markPx = new Map();
    const mEnd = lowerBound(markT, tAtX(W + 8) + 1);
    for (let k = lowerBound(markT, tAtX(LABEL_W - 8)); k < mEnd; ++k) {
      const i = markIdx[k], m = D.marks[i];
      const x = X(m[2]);
      if (x < LABEL_W - 8 || x > W + 8) continue;
      if (!named.marks.has(i) && !(query && matches.marks.has(i))) {
        const key = m[0] + ',' + m[1] + ',' + m[3], px = Math.floor(x / 3);
        if (markPx.get(key) === px) continue;
        markPx.set(key, px);
      }
      let y;
      if (m[0] >= 0) y = rowY[m[0]] + ROW_H / 2;
      else {
        const grp = groupY.find(gy => gy[0] === m[1]);
        if (!grp) continue;
        y = grp[1] + GROUP_H / 2;
        g.strokeStyle = m[3] === 'crash' ? 'rgba(192,0,26,0.6)' : 'rgba(42,157,42,0.6)';
        g.lineWidth = 1.5;
        g.beginPath(); g.moveTo(x, grp[1]); g.lineTo(x, grp[2]); g.stroke();
      }
      if (m[0] >= 0 && rowY[m[0]] < 0) continue;
      g.globalAlpha = query && !matches.marks.has(i) ? 0.2 : 1;
      drawSymbol(g, m[3], x, y, named.marks.has(i));
      g.globalAlpha = 1;
      ++stats.marks;
    }
    // The violation.
    if (vio >= 0) {
      const v = D.violations[vio], vt = v.t >= 0 ? v.t : END, x = X(vt);
      g.strokeStyle = '#d62728'; g.lineWidth = 2; g.setLineDash([5, 3]);
      g.beginPath(); g.moveTo(x, AXIS_H - 4); g.lineTo(x, height); g.stroke(); g.setLineDash([]);
      g.fillStyle = '#d62728'; g.font = 'bold 11px DejaVu Sans, sans-serif';
      g.fillText('\u2716 ' + v.invariant, Math.min(x + 4, W - 260), AXIS_H + 10);
    }
    drawArrows(g);
    g.font = 'bold 10px DejaVu Sans Mono, monospace';
    const ends = new Map();
    for (const [x, y, text, color] of holdLabels.concat(labels)) {
      const px = Math.max(x, LABEL_W + 1);
      if (px > W || (ends.get(y) || -1e9) > px) continue;
      g.lineWidth = 3; g.strokeStyle = '#fff'; g.strokeText(text, px, y);
      g.fillStyle = color || '#b3001b'; g.fillText(text, px, y);
      ends.set(y, px + g.measureText(text).width + 8);
    }
    g.restore();
    g.strokeStyle = '#bbb'; g.lineWidth = 1;
    g.beginPath(); g.moveTo(LABEL_W - 0.5, AXIS_H); g.lineTo(LABEL_W - 0.5, height); g.stroke();
    drawMini();
    if (!firstPaint) {
      firstPaint = performance.now();
      document.body.setAttribute('data-first-paint-ms', String(Math.round(firstPaint)));
    }
  }
  let firstPaint = 0;
  function drawSymbol(g, kind, x, y, hot) {
    if (kind === 'crash') {
      g.strokeStyle = '#c0001a'; g.lineWidth = 3;
      g.beginPath(); g.moveTo(x - 5, y - 5); g.lineTo(x + 5, y + 5); g.moveTo(x - 5, y + 5); g.lineTo(x + 5, y - 5); g.stroke();
    } else if (kind === 'restart') {
      g.fillStyle = '#2a9d2a';
      g.beginPath(); g.moveTo(x - 5, y + 5); g.lineTo(x + 5, y + 5); g.lineTo(x, y - 6); g.fill();
    } else if (kind === 'fault') {
      g.fillStyle = '#ff7f0e';
      g.beginPath(); g.moveTo(x, y - 6); g.lineTo(x + 6, y); g.lineTo(x, y + 6); g.lineTo(x - 6, y); g.fill();
    } else if (kind === 'crash_point') {
      g.fillStyle = '#8e44ad'; g.fillRect(x - 5, y - 5, 10, 10);
    } else {
      g.fillStyle = '#d62728'; g.beginPath(); g.arc(x, y, 6, 0, 7); g.fill();
    }
    if (hot) { g.strokeStyle = '#d62728'; g.lineWidth = 2; g.beginPath(); g.arc(x, y, 9, 0, 7); g.stroke(); }
  }
  // Up to MAX_ARROWS in view are drawn one by one; beyond that they are bucketed: the arrows of one
  // kind between the same two lanes whose tails fall in one column (BUCKET_PX wide, doubled until at
  // most MAX_ARROWS bundles remain) become one arrow from their mean tail to their mean head,
  // thicker with more, labelled with their count.
  const MAX_ARROWS = 400, BUCKET_PX = 12;
  const KIND_INDEX = Object.fromEntries(Object.keys(ARROW_COLORS).map((k, i) => [k, i]));
  // Arrows are batched: one path per (colour, width) for the curves and one for the heads, so a
  // frame with a thousand arrows costs two strokes and two fills per kind, not a thousand of each.
  function arrowBatch() { return new Map(); }
  // `curved` false (the bundles): straight segments, which rasterize several times faster.
  function addArrow(batch, ya, yb, sameRow, x0, x1, color, width, curved = true) {
    const key = color + ' ' + width;
    let b = batch.get(key);
    if (!b) { b = {color, width, line: new Path2D(), head: new Path2D()}; batch.set(key, b); }
    const y0 = ya + ROW_H / 2, y1 = yb + ROW_H / 2;
    const mx = (x0 + x1) / 2, my = sameRow ? y0 - 14 : (y0 + y1) / 2;
    b.line.moveTo(x0, y0);
    let ang;
    if (curved) {
      b.line.quadraticCurveTo(mx + (y1 - y0) * 0.15, my, x1, y1);
      ang = Math.atan2(y1 - my, x1 - mx - (y1 - y0) * 0.15);
    } else if (sameRow) {
      b.line.lineTo(mx, my); b.line.lineTo(x1, y1);
      ang = Math.atan2(y1 - my, x1 - mx);
    } else {
      b.line.lineTo(x1, y1);
      ang = Math.atan2(y1 - y0, x1 - x0);
    }
    const head = 6 + width;
    b.head.moveTo(x1, y1);
    b.head.lineTo(x1 - head * Math.cos(ang - 0.4), y1 - head * Math.sin(ang - 0.4));
    b.head.lineTo(x1 - head * Math.cos(ang + 0.4), y1 - head * Math.sin(ang + 0.4));
    b.head.closePath();
  }
  function strokeArrows(g, batch, alpha = 0.75) {
    g.globalAlpha = alpha;
    for (const b of batch.values()) {
      g.strokeStyle = b.color; g.fillStyle = b.color; g.lineWidth = b.width;
      g.stroke(b.line); g.fill(b.head);
    }
    g.globalAlpha = 1;
  }
  function drawArrows(g) {
    const inView = [];
    for (const a of D.arrows) {
      if (!arrowBoxes[a[4]].checked) continue;
      if (rowY[a[0]] < 0 || rowY[a[2]] < 0) continue;
      const x0 = X(a[1]), x1 = X(a[3]);
      if (Math.max(x0, x1) < LABEL_W || Math.min(x0, x1) > W) continue;
      inView.push(a);
    }
    stats.arrowsInView = inView.length;
    stats.arrowBuckets = 0;
    const batch = arrowBatch();
    if (inView.length <= MAX_ARROWS) {
      for (const a of inView) addArrow(batch, rowY[a[0]], rowY[a[2]], a[0] === a[2], X(a[1]), X(a[3]), ARROW_COLORS[a[4]], 1.2);
      strokeArrows(g, batch);
      stats.arrows = inView.length;
      return;
    }
    // Wider columns until at most MAX_ARROWS bundles remain (bounded: 9 doublings).
    const n = inView.length, nr = D.rows.length;
    const x0s = new Float64Array(n), x1s = new Float64Array(n), lane = new Float64Array(n);
    inView.forEach((a, i) => { x0s[i] = X(a[1]); x1s[i] = X(a[3]); lane[i] = (KIND_INDEX[a[4]] * nr + a[0]) * nr + a[2]; });
    // Start near the width that fits: each (kind, from, to) lane pair gets MAX_ARROWS / pairs columns.
    const pairs = new Set(lane).size;
    let buckets = null;
    for (let px = Math.max(BUCKET_PX, Math.ceil((W - LABEL_W) * pairs / MAX_ARROWS / 2)), round = 0; round < 9; ++round, px *= 2) {
      buckets = new Map();
      for (let i = 0; i < n; ++i) {
        const key = lane[i] * 8192 + Math.floor(Math.max(0, x0s[i]) / px);  // numeric keys: no strings
        const b = buckets.get(key);
        if (b) { ++b.n; b.x0 += x0s[i]; b.x1 += x1s[i]; } else buckets.set(key, {a: inView[i], n: 1, x0: x0s[i], x1: x1s[i]});
      }
      if (buckets.size <= MAX_ARROWS) break;
    }
    const counts = [];
    for (const b of buckets.values()) {
      const x0 = b.x0 / b.n, x1 = b.x1 / b.n, a = b.a;
      const width = Math.min(4, 1 + Math.round(Math.log2(b.n)) * 0.5);  // a few widths: few batches
      addArrow(batch, rowY[a[0]], rowY[a[2]], a[0] === a[2], x0, x1, ARROW_COLORS[a[4]], width, false);
      if (b.n > 1 && Math.abs(x1 - x0) > 18) counts.push([String(b.n), (x0 + x1) / 2 + 2, (rowY[a[0]] + rowY[a[2]]) / 2 + ROW_H / 2 - 2, ARROW_COLORS[a[4]]]);
    }
    strokeArrows(g, batch, 0.4);  // lighter: bundles are a summary, not the story
    g.font = '9px DejaVu Sans, sans-serif';
    for (const [text, x, y, color] of counts.slice(0, 300)) { g.fillStyle = color; g.fillText(text, x, y); }
    stats.arrows = buckets.size;
    stats.arrowBuckets = buckets.size;
    g.fillStyle = '#1f6fd1'; g.font = '11px DejaVu Sans, sans-serif';
    g.fillText(inView.length + ' arrows in view, drawn as ' + buckets.size + ' bundles (zoom in for each one)', LABEL_W + 8, AXIS_H + 10);
  }
  let miniCache = {key: null, cols: null};
  function drawMini() {
    const w = W, h = 34;
    const g = resize(mini, w, h);
    g.clearRect(0, 0, w, h);
    g.fillStyle = '#f2f4f7'; g.fillRect(LABEL_W, 0, w - LABEL_W - 8, h);
    const [f0, f1] = fullU(), sx = u => LABEL_W + (u - f0) / Math.max(1e-9, f1 - f0) * (w - LABEL_W - 8);
    // The density of ops per pixel, computed once per width and axis mode.
    const cacheKey = w + mode;
    if (miniCache.key !== cacheKey) {
      const c = new Float32Array(Math.ceil(w));
      for (const s of D.spans) {
        const a = Math.floor(sx(toU(s[1]))), b = Math.max(a, Math.floor(sx(toU(s[2]))));
        for (let x = a; x <= b && x < c.length; ++x) c[x] += 1;
      }
      miniCache = {key: cacheKey, cols: c};
    }
    const cols = miniCache.cols;
    let max = 1;
    for (const c of cols) max = Math.max(max, c);
    g.fillStyle = '#8db9e3';
    for (let x = LABEL_W; x < cols.length; ++x) if (cols[x]) { const hh = 4 + 26 * Math.log(1 + cols[x]) / Math.log(1 + max); g.fillRect(x, h - hh, 1, hh); }
    for (const m of D.marks) if (m[3] === 'crash') { g.fillStyle = '#c0001a'; g.fillRect(sx(toU(m[2])), 0, 2, h); }
    if (vio >= 0) { const v = D.violations[vio]; g.fillStyle = '#d62728'; g.fillRect(sx(toU(v.t >= 0 ? v.t : END)) - 1, 0, 3, h); }
    g.strokeStyle = '#1d232b'; g.lineWidth = 1.5;
    const a = sx(view[0]), b = sx(view[1]);
    g.fillStyle = 'rgba(29,35,43,0.12)'; g.fillRect(a, 1, Math.max(2, b - a), h - 2);
    g.strokeRect(a, 1, Math.max(2, b - a), h - 2);
    g.fillStyle = '#445'; g.font = '10px DejaVu Sans, sans-serif';
    g.fillText('whole run ' + fmtT(END), 6, 14);
    g.fillText('view ' + fmtT(tAtX(LABEL_W)) + ' \u2026', 6, 28);
  }

  // ------------------------------------------------------------------ detail panel
  let selected = null;
  function rowName(r) { return r < 0 ? 'kernel' : D.procs[D.rows[r][0]] + ' / ' + D.rows[r][1]; }
  function eventsOf(row, t0, t1) {
    const out = [];
    const start = Math.max(0, bsearchEvents(t0));
    for (let i = start; i < D.events.length && D.events[i][0] <= t1 && out.length < 200; ++i)
      if (row === null || D.events[i][1] === row) out.push(D.events[i]);
    return out;
  }
  function bsearchEvents(t) {
    let lo = 0, hi = D.events.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (D.events[mid][0] < t) lo = mid + 1; else hi = mid; }
    return lo;
  }
  function showDetail(title, fields, row, t0, t1) {
    detail.innerHTML = '';
    detail.append(el('b', {}, title));
    const tab = el('table', {});
    for (const [k, v] of fields) { const tr = el('tr', {}); tr.append(el('td', {}, k), el('td', {}, String(v))); tab.append(tr); }
    detail.append(tab);
    const evs = eventsOf(row, t0, t1);
    detail.append(el('div', {class: 'muted'}, 'trace events of ' + (row === null ? 'every lane' : rowName(row)) + ' from ' + fmtT(t0) + ' to ' + fmtT(t1) + ' (' + evs.length + (evs.length >= 200 ? '+' : '') + '):'));
    const pre = el('pre', {});
    pre.textContent = evs.map(e => fmtT(e[0]).padStart(14) + '  ' + e[2].padEnd(11) + ' ' + e[3]).join('\n') || '(none)';
    detail.append(pre);
    schedule();
  }
  function showSpan(i) {
    const s = D.spans[i];
    selected = 'span' + i;
    const fields = [['lane', rowName(s[0])], ['op', s[4]], ['detail', s[5]], ['outcome', s[6]],
      ['from', fmtT(s[1])], ['to', fmtT(s[2])], ['took', fmtT(s[2] - s[1])], ['injected fault', (s[7] & 1) ? 'yes' : 'no'],
      ['named by the violation', named.spans.has(i) ? 'yes' : 'no']];
    const op = opById.get(s[8]);
    if (op) fields.push(['history op', op[0] + ': ' + op[1] + ' ' + op[2] + ' ' + op[3] + (op[2] === 'put' ? '=' + op[4] : '') +
      (op[5] !== null ? ' read ' + op[5] : '') + ' -> ' + op[8] + (op[9] ? ' (' + op[9] + ')' : '') + (op[10] ? ' [final read]' : '')]);
    showDetail(s[4] + ' ' + s[5], fields, s[0], s[1], s[2]);
  }
  function hit(x, y) {
    const t = tAtX(x), tol = (tAtX(x + 4) - tAtX(x - 4));
    for (let i = 0; i < D.marks.length; ++i) {
      const m = D.marks[i], mx = X(m[2]);
      if (Math.abs(mx - x) > 7) continue;
      const my = m[0] >= 0 ? rowY[m[0]] + ROW_H / 2 : (groupY.find(gy => gy[0] === m[1]) || [0, -99])[1] + GROUP_H / 2;
      if (Math.abs(my - y) <= 8) return ['mark', i];
    }
    for (let r = 0; r < D.rows.length; ++r) {
      if (rowY[r] < 0) continue;
      if (y >= rowY[r] && y < rowY[r] + ROW_H) {
        if (y < rowY[r] + 6) {
          for (let i = 0; i < D.holds.length; ++i) { const h = D.holds[i]; if (h[0] === r && h[1] - tol <= t && h[2] + tol >= t) return ['hold', i]; }
        }
        let best = -1;
        for (let i = 0; i < D.spans.length; ++i) { const s = D.spans[i]; if (s[0] === r && s[1] - tol <= t && s[2] + tol >= t) best = i; }
        if (best >= 0) return ['span', best];
        for (let i = 0; i < D.holds.length; ++i) { const h = D.holds[i]; if (h[0] === r && h[1] <= t && h[2] >= t) return ['hold', i]; }
        return null;
      }
      for (let j = 0; j < stateY[r].length; ++j)
        if (y >= stateY[r][j] && y < stateY[r][j] + STATE_H)
          for (let i = 0; i < bands.length; ++i) { const b = bands[i]; if (b.row === r && b.key === stateKeys[r][j] && b.t0 <= t && b.t1 >= t) return ['band', i]; }
    }
    return null;
  }
  function showHit(h) {
    if (!h) return false;
    const [kind, i] = h;
    if (kind === 'span') showSpan(i);
    else if (kind === 'hold') {
      const x = D.holds[i]; selected = 'hold' + i;
      showDetail((x[3] === 'file' ? 'file handle ' : x[3] === 'lease' ? 'lease held ' : 'mutex held ') + x[4], [['lane', rowName(x[0])], ['from', fmtT(x[1])], ['to', fmtT(x[2])], ['held for', fmtT(x[2] - x[1])], ['detail', x[5]], ['named by the violation', named.holds.has(i) ? 'yes' : 'no']], x[0], x[1], x[2]);
    } else if (kind === 'mark') {
      const m = D.marks[i]; selected = 'mark' + i;
      const row = m[0] >= 0 ? m[0] : null;
      showDetail(m[3] + ': ' + m[4], [['lane', m[0] >= 0 ? rowName(m[0]) : D.procs[m[1]]], ['at', fmtT(m[2])], ['detail', m[4]]], row, m[2] - 1, m[2] + 1);
    } else if (kind === 'band') {
      const b = bands[i]; selected = 'band' + i;
      showDetail(b.key + ' = ' + b.value, [['lane', rowName(b.row)], ['from', fmtT(b.t0)], ['to', fmtT(b.t1)]], b.row, b.t0, Math.min(b.t1, b.t0 + 1));
    }
    return true;
  }

  // ------------------------------------------------------------------ violations panel
  function drawViolations() {
    vioBox.innerHTML = '';
    if (!D.violations.length) return;
    D.violations.forEach((v, i) => {
      const d = el('div', {class: 'tl-vio' + (i === vio ? ' on' : '')});
      const head = el('a', {href: '#', class: 'inv'}, v.invariant);
      head.onclick = e => { e.preventDefault(); vio = i; computeNamed(); drawViolations(); focusViolation(); pickKey(); };
      d.append(head, el('span', {}, ' ' + v.message.slice(0, 200)));
      const names = el('div', {class: 'muted'});
      names.append('names: ');
      for (const id of v.ops) {
        const op = opById.get(id);
        const a = el('a', {href: '#', class: 'named-op'}, 'op ' + id + (op ? ' (' + op[1] + ' ' + op[2] + ' ' + op[3] + ')' : ''));
        a.onclick = e => { e.preventDefault(); const si = D.spans.findIndex(s => s[8] === id); if (si >= 0) { zoomToTimes(D.spans[si][1], D.spans[si][2]); showSpan(si); } if (op) { keySel.value = op[3]; drawKey(); } };
        names.append(a, ' ');
      }
      for (const o of v.objects) {
        const a = el('a', {href: '#', class: 'named-object'}, o);
        a.onclick = e => { e.preventDefault(); search.value = 'path:' + o; runSearch(); nextMatch(); };
        names.append(a, ' ');
      }
      if (!v.ops.length && !v.objects.length) names.append('(nothing: this checker names no op or object)');
      d.append(names);
      vioBox.append(d);
    });
  }

  // ------------------------------------------------------------------ per-key history
  // The ops on one key as bars per client (Porcupine's view of a history); the ops the violation
  // names are outlined red, the acknowledged write a lost-write violation names first is marked as
  // the missing one.
  const keys = [...new Set(D.ops.map(o => o[3]))].sort();
  for (const k of keys) keySel.append(el('option', {value: k}, k));
  let keyStats = {bars: 0, missing: 0};
  function pickKey() {
    if (!keys.length) return;
    let k = null;
    if (vio >= 0) for (const id of D.violations[vio].ops) { const op = opById.get(id); if (op) { k = op[3]; break; } }
    keySel.value = k || keys[0];
    drawKey();
  }
  let keyBars = [];
  function drawKey() {
    const key = keySel.value;
    const ops = D.ops.filter(o => o[3] === key);
    const clients = [...new Set(ops.map(o => o[1]))];
    const h = 24 + clients.length * 26 + 8;
    W = Math.max(800, root.clientWidth || 1200);
    const g = resize(keyCanvas, W, keys.length ? h : 30);
    g.clearRect(0, 0, W, h);
    keyBars = [];
    keyStats = {bars: 0, missing: 0};
    if (!keys.length) { g.fillStyle = '#778'; g.font = '12px DejaVu Sans, sans-serif'; g.fillText('(no client history in this run)', 6, 18); keyInfo.textContent = ''; return; }
    let t0 = Infinity, t1 = -Infinity;
    for (const o of ops) { t0 = Math.min(t0, o[6]); t1 = Math.max(t1, o[7] >= 0 ? o[7] : END); }
    const pad = Math.max(1, (t1 - t0) * 0.03);
    t0 -= pad; t1 += pad;
    const kx = t => LABEL_W + (t - t0) / (t1 - t0) * (W - LABEL_W - 8);
    g.font = '10px DejaVu Sans Mono, monospace'; g.fillStyle = '#555';
    for (let i = 0; i <= 8; ++i) { const t = t0 + (t1 - t0) * i / 8; g.fillText(fmtT(t), kx(t) + 2, 12); g.fillStyle = '#eee'; g.fillRect(kx(t), 16, 1, h); g.fillStyle = '#555'; }
    clients.forEach((c, ci) => {
      const y = 20 + ci * 26;
      g.fillStyle = ci % 2 ? '#f6f7f9' : '#fff'; g.fillRect(0, y, W, 26);
      g.fillStyle = '#333'; g.font = '11px DejaVu Sans Mono, monospace'; g.fillText(c.slice(0, 26), 6, y + 16);
    });
    // The lost-write checks (scenarios/checks/history_checks.cc) name the acknowledged write they
    // find missing first; the read that missed it and the write it saw instead follow.
    const v = vio >= 0 ? D.violations[vio] : null;
    const lostOp = v && v.invariant === 'no-lost-acknowledged-writes' && v.ops.length ? v.ops[0] : -1;
    let missing = 0;
    for (const o of ops) {
      const ci = clients.indexOf(o[1]), y = 20 + ci * 26;
      const x0 = kx(o[6]), x1 = Math.max(kx(o[7] >= 0 ? o[7] : END), x0 + 3);
      const st = o[8];
      g.fillStyle = st === 'ok' ? (o[2] === 'get' ? '#8db9e3' : '#7cc47c') : st === 'failed' ? '#f2c14e' : '#cfcfcf';
      g.fillRect(x0, y + 4, x1 - x0, 18);
      const isNamed = named.ops.has(o[0]);
      const lost = o[0] === lostOp && o[2] !== 'get' && st === 'ok';
      if (isNamed) { g.strokeStyle = '#d62728'; g.lineWidth = 2.5; g.strokeRect(x0, y + 4, x1 - x0, 18); }
      const text = (o[2] === 'get' ? 'get \u2192 ' + (o[5] === null ? '(absent)' : o[5]) : o[2] + ' ' + o[4]) + (o[10] ? ' [final]' : '');
      g.fillStyle = '#123'; g.font = '10px DejaVu Sans Mono, monospace';
      if (x1 - x0 > 30) g.fillText(text.slice(0, Math.floor((x1 - x0) / 6)), x0 + 2, y + 17);
      if (lost) {
        ++missing;
        g.fillStyle = '#b3001b'; g.font = 'bold 10px DejaVu Sans Mono, monospace';
        g.fillText('\u2716 acknowledged, then missing: ' + o[4], x0, y + 3 < 24 ? y + 32 : y + 3);
      }
      keyBars.push([x0, x1, y + 4, y + 22, o]);
      ++keyStats.bars;
    }
    keyStats.missing = missing;
    keyInfo.textContent = ' ' + ops.length + ' ops on ' + key + ' by ' + clients.length + ' client(s)' + (missing ? '; ' + missing + ' acknowledged write(s) the violation finds missing' : '');
  }
  keySel.onchange = drawKey;
  keyCanvas.addEventListener('click', e => {
    const r = keyCanvas.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
    for (const [x0, x1, y0, y1, o] of keyBars) if (x >= x0 - 2 && x <= x1 + 2 && y >= y0 && y <= y1) {
      const si = D.spans.findIndex(s => s[8] === o[0]);
      if (si >= 0) { zoomToTimes(D.spans[si][1], D.spans[si][2]); showSpan(si); }
      else showDetail('op ' + o[0], [['client', o[1]], ['op', o[2] + ' ' + o[3]], ['status', o[8]]], null, o[6], o[7]);
      return;
    }
  });

  // ------------------------------------------------------------------ input
  let drag = null;
  canvas.addEventListener('wheel', e => {
    e.preventDefault();
    const r = canvas.getBoundingClientRect(), x = e.clientX - r.left;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) pan(e.shiftKey ? e.deltaY : e.deltaX);
    else zoom(Math.pow(1.0015, e.deltaY), Math.max(LABEL_W, x));
  }, {passive: false});
  canvas.addEventListener('mousedown', e => { drag = {x: e.clientX, moved: false}; });
  window.addEventListener('mousemove', e => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    if (Math.abs(dx) > 2) drag.moved = true;
    if (drag.moved) { pan(-dx); drag.x = e.clientX; }
  });
  window.addEventListener('mouseup', () => { setTimeout(() => { drag = null; }, 0); });
  canvas.addEventListener('click', e => {
    if (drag && drag.moved) return;
    const r = canvas.getBoundingClientRect();
    showHit(hit(e.clientX - r.left, e.clientY - r.top));
  });
  canvas.addEventListener('keydown', e => {
    const mid = (LABEL_W + W) / 2;
    if (e.key === 'w') zoom(0.8, mid); else if (e.key === 's') zoom(1.25, mid);
    else if (e.key === 'a' || e.key === 'ArrowLeft') pan(-(W - LABEL_W) * 0.15);
    else if (e.key === 'd' || e.key === 'ArrowRight') pan((W - LABEL_W) * 0.15);
    else if (e.key === '0') setView(...fullU());
    else if (e.key === 'f') focusViolation();
    else return;
    e.preventDefault();
  });
  function miniJump(e) {
    const r = mini.getBoundingClientRect(), x = e.clientX - r.left;
    const [f0, f1] = fullU(), u = f0 + (x - LABEL_W) / (W - LABEL_W - 8) * (f1 - f0), w = view[1] - view[0];
    setView(u - w / 2, u + w / 2);
  }
  let miniDrag = false;
  mini.addEventListener('mousedown', e => { miniDrag = true; miniJump(e); });
  window.addEventListener('mouseup', () => { miniDrag = false; });
  mini.addEventListener('mousemove', e => { if (miniDrag) miniJump(e); });
  search.addEventListener('input', runSearch);
  search.addEventListener('keydown', e => { if (e.key === 'Enter') nextMatch(); });
  onlyRows.addEventListener('change', runSearch);
  for (const k in arrowBoxes) arrowBoxes[k].addEventListener('change', schedule);
  axisSel.addEventListener('change', () => {
    const t0 = tAtX(LABEL_W), t1 = tAtX(W - 8);
    mode = axisSel.value;
    if (mode === 'compressed' && !compT) buildCompressed();
    view = [toU(t0), toU(t1)];
    setView(view[0], view[1]);
  });
  fitBtn.onclick = () => setView(...fullU());
  focusBtn.onclick = focusViolation;
  window.addEventListener('resize', () => { schedule(); drawKey(); });

  // ------------------------------------------------------------------ start
  drawViolations();
  W = Math.max(800, root.clientWidth || 1200);
  if (vio >= 0) focusViolation();
  draw();
  pickKey();
  if (!keys.length) drawKey();
  window.seedbedTimeline = {view: () => view.slice(), stats: () => stats, keyStats: () => keyStats, D};

  // ------------------------------------------------------------------ self-test (#selftest)
  // Drives the page as a user would (wheel, keys, typing, toggles, clicks) and writes one line per
  // check into <pre id="selftest">: tests/reports/ reads them from chromium --dump-dom.
  if (location.hash !== '#selftest') return;
  const out = [];
  const check = (name, ok, info) => out.push((ok ? 'PASS ' : 'FAIL ') + name + (info ? ' (' + info + ')' : ''));
  const rect = canvas.getBoundingClientRect();
  setView(...fullU()); draw();
  const w0 = view[1] - view[0];
  canvas.dispatchEvent(new WheelEvent('wheel', {deltaY: -400, clientX: rect.left + (LABEL_W + W) / 2, clientY: rect.top + 40, bubbles: true, cancelable: true}));
  check('zoom-wheel', view[1] - view[0] < w0 * 0.9, 'width ' + w0 + ' -> ' + (view[1] - view[0]));
  const v0 = view[0];
  canvas.dispatchEvent(new KeyboardEvent('keydown', {key: 'd', bubbles: true}));
  check('pan-key', view[0] > v0, 'start ' + v0 + ' -> ' + view[0]);
  canvas.dispatchEvent(new KeyboardEvent('keydown', {key: '0', bubbles: true}));
  check('reset-key', Math.abs((view[1] - view[0]) - w0) < w0 * 0.05);
  axisSel.value = 'compressed'; axisSel.dispatchEvent(new Event('change'));
  check('axis-compressed', mode === 'compressed' && compT.length > 1, compT.length + ' instants');
  axisSel.value = 'linear'; axisSel.dispatchEvent(new Event('change'));
  const mv = view[0];
  mini.dispatchEvent(new MouseEvent('mousedown', {clientX: mini.getBoundingClientRect().left + LABEL_W + 20, clientY: mini.getBoundingClientRect().top + 10, bubbles: true}));
  window.dispatchEvent(new MouseEvent('mouseup'));
  check('minimap', mini.width > 0, 'view start ' + mv + ' -> ' + view[0]);
  draw();
  const probe = D.spans.length ? (D.spans.find(s => s[3] !== 2) || D.spans[0])[5].split(' ')[0].split('/').pop() : '';
  search.value = probe; search.dispatchEvent(new Event('input'));
  const n = matches.spans.size + matches.holds.size + matches.marks.size;
  check('search', !D.spans.length || n > 0, JSON.stringify(probe) + ': ' + n + ' matches');
  search.value = 'process:' + D.procs[0]; search.dispatchEvent(new Event('input'));
  const byProc = [...matches.spans].every(i => D.rows[D.spans[i][0]][0] === 0);
  check('filter-process', byProc, matches.spans.size + ' ops of ' + D.procs[0]);
  onlyRows.checked = true; onlyRows.dispatchEvent(new Event('change'));
  check('filter-lanes', !matches.rows.size || rowY.filter(y => y >= 0).length === matches.rows.size, rowY.filter(y => y >= 0).length + ' lanes shown');
  onlyRows.checked = false; search.value = ''; search.dispatchEvent(new Event('input'));
  // The whole run: every arrow in view is drawn, one by one or (over MAX_ARROWS) in bundles.
  for (const k in arrowBoxes) arrowBoxes[k].checked = true;
  setView(...fullU()); draw();
  check('arrows-whole-run', !D.arrows.length || stats.arrows > 0, stats.arrowsInView + ' in view, ' + stats.arrows +
    (stats.arrowBuckets ? ' bundles drawn' : ' drawn') + '; ' + stats.aggregated + ' op density marks, ' + stats.spans + ' ops drawn one by one');
  // Zoom to an arrow in the middle of the run.
  if (D.arrows.length) { const a = D.arrows[Math.floor(D.arrows.length / 2)]; zoomToTimes(Math.min(a[1], a[3]), Math.max(a[1], a[3])); }
  draw();
  const withArrows = stats.arrows;
  for (const k in arrowBoxes) arrowBoxes[k].checked = false;
  draw();
  const without = stats.arrows;
  for (const k in arrowBoxes) arrowBoxes[k].checked = true;
  draw();
  check('arrows-toggle', without === 0 && (D.arrows.length === 0 || stats.arrows > 0), D.arrows.length + ' arrows, ' + stats.arrows + ' drawn, ' + without + ' when off');
  void withArrows;
  out.push('INFO arrows' + ' ' + Object.keys(ARROW_COLORS).map(k => k + ' ' + D.arrows.filter(a => a[4] === k).length).join(', '));
  out.push('INFO holds' + ' ' + Object.keys(HOLD_COLORS).map(k => k + ' ' + D.holds.filter(h => h[3] === k).length).join(', '));
  if (vio >= 0) {
    const v = D.violations[vio];
    check('violation-names', v.ops.length + v.objects.length > 0 && named.spans.size + named.holds.size + named.marks.size + named.ops.size + named.bands.size + named.rows.size > 0,
      named.spans.size + ' ops, ' + named.holds.size + ' holds, ' + named.marks.size + ' marks, ' + named.bands.size + ' state bands, ' + named.ops.size + ' history ops, ' + named.rows.size + ' lanes highlighted');
  }
  pickKey();
  check('per-key-view', !keys.length || keyStats.bars > 0, keys.length + ' keys; ' + keySel.value + ': ' + keyStats.bars + ' bars, ' + keyStats.missing + ' missing marked');
  if (vio >= 0 && D.violations[vio].invariant === 'no-lost-acknowledged-writes') {
    const lost = opById.get(D.violations[vio].ops[0]);
    if (lost && lost[2] !== 'get' && lost[8] === 'ok')  // an acknowledged write named as lost
      check('missing-mark', keySel.value === lost[3] && keyStats.missing === 1,
        'op ' + lost[0] + ' ' + lost[2] + ' ' + lost[3] + '=' + lost[4] + ' marked on key ' + keySel.value + ': ' + keyStats.missing);
  }
  // Click the first named span (or any span) at its drawn position.
  let target = -1;
  named.spans.forEach(i => { if (target < 0 && rowY[D.spans[i][0]] >= 0) target = i; });
  if (target < 0 && D.spans.length) target = 0;
  if (target >= 0) {
    const s = D.spans[target];
    zoomToTimes(s[1], s[2]); draw();
    const r2 = canvas.getBoundingClientRect();
    const x = (Math.max(X(s[1]), LABEL_W) + Math.min(Math.max(X(s[2]), X(s[1]) + 2), W)) / 2, y = rowY[s[0]] + 12;
    drag = null;
    canvas.dispatchEvent(new MouseEvent('click', {clientX: r2.left + x, clientY: r2.top + y, bubbles: true}));
    check('click-detail', selected !== null && detail.textContent.indexOf(s[5]) >= 0, s[4] + ' ' + s[5]);
  }
  if (bands.length) {
    setView(...fullU()); draw();
    check('state-bands', stats.bands > 0, bands.length + ' state bands, ' + stats.bands + ' drawn, keys: ' + [...new Set(bands.map(b => b.key))].slice(0, 6).join(', '));
  }
  // Frame times: ten draws of the whole run, then ten while zooming in by 20% each.
  // Reading a pixel back makes the browser rasterize the frame, so its cost is counted too.
  // The median of 21 frames: one slow frame on a loaded machine moves it little.
  const frames = (fn) => {
    const ms = [];
    for (let i = 0; i < 21; ++i) { const t = performance.now(); fn(); draw(); ctx.getImageData(0, 0, 1, 1); ms.push(performance.now() - t); }
    return ms.sort((a, b) => a - b)[10];
  };
  setView(...fullU());
  const full = frames(() => {});
  const zoomed = frames(() => zoom(0.8, (LABEL_W + W) / 2));
  out.push('frame-ms whole-run ' + full.toFixed(1) + ' zooming ' + zoomed.toFixed(1) + ' (medians of 21 frames)');
  focusViolation(); draw();
  out.push('first-paint-ms ' + Math.round(firstPaint) + ' (since navigation start; script ' + Math.round(firstPaint - started) + ' ms)');
  out.push('counts spans ' + D.spans.length + ' holds ' + D.holds.length + ' arrows ' + D.arrows.length + ' bands ' + bands.length + ' marks ' + D.marks.length + ' ops ' + D.ops.length);
  selftest.textContent = out.join('\n') + '\nDONE\n';
})();
