// The explorer page: numbers, overlays, scenarios, conditions, diagram, share link and YAML download.
// All text from the map is inserted with textContent, never as HTML.
"use strict";

var Explore = (function () {
  var VIRIDIS = ["#440154", "#48186a", "#472d7b", "#424086", "#3b528b", "#33638d", "#2c728e", "#26828e",
                 "#21918c", "#1fa088", "#28ae80", "#3fbc73", "#5ec962", "#84d44b", "#addc30", "#d8e219", "#fde725"];
  var D = null;                 // the page data
  var S = null;                 // the reader's settings
  var base = null;              // marginals at the start settings: {claim: Float64Array}
  var current = null;           // {key, map, net, cond, result}
  var compiled = {};            // map key -> compiled network
  var built = null;             // the reader's current map: {key, map, problems}
  var svgCache = {};
  var vb = null;

  // ---------------------------------------------------------------- formats (argmap.render.style)
  function hex(h) { return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)]; }
  function pyRound(x) { var r = Math.round(x); return (Math.abs(x % 1) === 0.5 && r % 2 !== 0) ? r - 1 : r; }
  function fill(p) {
    if (p === null || !isFinite(p)) return "#eeeeee";
    var x = Math.min(1, Math.max(0, p)), pos = x * (VIRIDIS.length - 1);
    var i = Math.min(Math.floor(pos), VIRIDIS.length - 2), t = pos - i, a = hex(VIRIDIS[i]), b = hex(VIRIDIS[i + 1]);
    return "#" + a.map(function (u, k) { return ("0" + pyRound(u + (b[k] - u) * t).toString(16)).slice(-2); }).join("");
  }
  function textColour(f) {
    var lum = hex(f).map(function (c) { var s = c / 255; return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4); });
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
  }
  function fmtP(p) { return (0 < p && p < 0.01) || (0.99 < p && p < 1) ? p.toFixed(3) : p.toFixed(2); }
  function fmtDelta(d) {
    var t = Math.abs(d) >= 0.005 ? Math.abs(d).toFixed(2) : Math.abs(d).toFixed(3);
    return (d < 0 ? "\u2212" : "+") + t;
  }
  function fmtNum(x) { return Number(x.toPrecision(6)).toString(); }

  // ---------------------------------------------------------------- data access
  // The map the reader sees: the page's map with the switched-on overlays' edits applied in order
  // (then the reader's own edits), compiled in the page (compile.js) and kept while nothing changes.
  function onInOrder(names) { return D.overlays.filter(function (o) { return names.indexOf(o.name) >= 0; }).map(function (o) { return o.name; }); }
  function mapKey() { return JSON.stringify(onInOrder(S.on)) + "\n" + readerOps().text; }
  // The reader's edits (critiqueOps) and each one's JSON, made once per update (the map's key, the
  // settings' key and the memo of compile.js applyEdits all read them)
  var opsMemo = null, updating = false;
  function readerOps() {
    if (opsMemo) return opsMemo;
    var r = critiqueOps();
    r.text = r.texts.join("\n");
    if (updating) opsMemo = r;
    return r;
  }
  // The map with the switched-on overlays applied is kept (by which overlays are on): a reader's own
  // edits apply to a shallow copy of it, so the claims and relations they leave alone stay the same
  // objects from edit to edit (and their controls stay; see paramDeps).
  var overlaid = { key: null, map: null, problems: null }, readerMemo = { now: new Map() };
  function buildMap() {
    var on = JSON.stringify(onInOrder(S.on));
    if (overlaid.key !== on) {
      var om = ArgmapCompile.shallow(D.base), oproblems = [];
      D.overlays.forEach(function (o) {
        if (S.on.indexOf(o.name) < 0) return;
        if (o.error) oproblems.push("overlay '" + o.name + "' cannot be applied: " + o.error);
        else ArgmapCompile.applyEdits(om, o.edits, oproblems, "overlay '" + o.name + "'");
      });
      overlaid = { key: on, map: om, problems: oproblems };
    }
    var m = ArgmapCompile.shallow(overlaid.map), problems = overlaid.problems.slice();
    var ro = readerOps();
    readerMemo = { old: readerMemo.now, now: new Map(), texts: ro.texts };     // the reader's unchanged claims stay the same objects
    ArgmapCompile.applyEdits(m, ro.ops, problems, "your edit", readerMemo);
    if (!problems.length) problems = ArgmapCompile.check(m);
    return { map: m, problems: problems };
  }
  // each map is compiled from the last one compiled (compile.js build): only the claims an edit
  // touched get new cells
  var lastSpec = null;
  function net(key, map) {
    if (!compiled[key]) {
      var spec = lastSpec = ArgmapCompile.build(map, lastSpec), c = ArgmapEval.compile(spec);
      c.params = spec.meta;
      c.paramIndex = {};
      spec.params.forEach(function (n, i) { c.paramIndex[n] = i; });
      c.claims = map.claims;
      c.map = map;
      c.edges = {};
      c.relations = {};
      map.relations.forEach(function (r) {
        c.relations[r.source + " -> " + r.target] = r;
        c.edges[r.source + "->" + r.target] = true;
        (r.modulators || []).forEach(function (m) { c.edges[m[0] + "->" + r.target] = true; });
      });
      Object.keys(map.claims).forEach(function (id) {
        var t = map.claims[id].table;
        if (t) t.given.forEach(function (g) { c.edges[g + "->" + id] = true; });
      });
      var keys = Object.keys(compiled);
      if (keys.length > 12) delete compiled[keys[0]];      // a reader's long session keeps memory bounded
      compiled[key] = c;
    }
    return compiled[key];
  }
  function claimMeta(id) { return current && current.net.claims[id]; }

  // ---------------------------------------------------------------- settings
  function startSettings() {
    return { on: D.start.overlays.slice(), scenario: D.start.scenario, given: Object.assign({}, D.start.given),
             set: Object.assign({}, D.start.set), edits: {}, view: "overview", critique: emptyCritique(), answers: [] };
  }
  function emptyCritique() { return { name: "", source: "", reason: "", claims: [], removed: [] }; }
  function theta(c) {
    var t = Float64Array.from(c.net.theta);
    Object.keys(S.edits).forEach(function (n) {
      if (n in c.paramIndex) t[c.paramIndex[n]] = S.edits[n];
      // a base you changed, on a claim your removal left with nothing bearing on it, is its credence
      // (the loader applies an overlay's change: before its remove:)
      else if (n.slice(0, 5) === "base:" && ("credence:" + n.slice(5)) in c.paramIndex) t[c.paramIndex["credence:" + n.slice(5)]] = S.edits[n];
    });
    return t;
  }
  function evaluate() {
    var key = mapKey();
    if (!built || built.key !== key) { built = buildMap(); built.key = key; }
    lap("map");
    if (built.problems.length) return { error: built.problems.join("; ") };
    var c = net(key, built.map), cond = ArgmapCompile.conditions(built.map, S.scenario, S.given, S.set);
    lap("compile");
    var r = c.marginals(theta(c), cond.given, cond.set);
    lap("marginals");
    return { key: key, map: built.map, net: c, cond: cond, result: r };
  }
  function marginalOf(cur, id) {
    var i = cur.net.index[id];
    return i === undefined || !cur.result.marginals ? null : cur.result.marginals[i];
  }
  function pTrue(m) { return m ? m[m.length - 1] : null; }

  // ---------------------------------------------------------------- rendering
  // DOM writes only where a value changed: unchanged attributes and texts cost no style or layout work
  function setAttr(node, name, value) { if (node.getAttribute(name) !== value) node.setAttribute(name, value); }
  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
  function toggle(node, cls, on) { if (node.classList.contains(cls) !== on) node.classList.toggle(cls, on); }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Where an update's time goes (the bench reads Explore.lastUpdateParts): ms per stage.
  var laps = null, lapAt = 0;
  function lap(name) { var t = performance.now(); if (laps) laps[name] = (laps[name] || 0) + t - lapAt; lapAt = t; }
  function update() {
    updating = true;
    opsMemo = null;
    try { paint(); } finally { updating = false; opsMemo = null; }
  }
  function paint() {
    var t0 = performance.now();
    laps = {}; lapAt = t0;
    var cur = evaluate();
    if (cur.error) {
      document.getElementById("headline-value").textContent = "—";
      document.getElementById("headline-note").textContent = cur.error;
      return;
    }
    var comboChanged = !current || current.key !== cur.key;
    current = cur;
    if (comboChanged) { buildNumbers(); lap("numbers"); buildScenario(); targetsChanged(); lap("lists"); }
    paintHeadline();
    paintDiagram();
    lap("diagram");
    paintMoved();
    paintConditions();
    syncOverlayBoxes();
    lap("moved");
    scheduleSpread();
    lap("spread");
    Explore.lastUpdateMs = performance.now() - t0;
    Explore.lastUpdateParts = laps;
  }

  function paintHeadline() {
    var m = marginalOf(current, D.target), note = "";
    var label = "P(" + D.target + ")";
    document.getElementById("headline-label").textContent = label + " =";
    if (!current.result.marginals) {
      document.getElementById("headline-value").textContent = "—";
      note = "These observations are impossible under the map (probability zero); clear one.";
    } else {
      var p = pTrue(m);
      document.getElementById("headline-value").textContent = p.toFixed(3);
      document.getElementById("headline-value").setAttribute("data-p", String(p));
      // what the command line gives: the start's figure until the reader changes something, then this
      // figure (argmap run with the downloaded overlay reproduces it)
      var moved = settingsKey() !== startKey;
      document.getElementById("headline-base").textContent = moved
        ? "started at " + D.start.probability.toFixed(3) + "; argmap run with your overlay gives " + p.toFixed(3)
        : "argmap run gives " + D.start.probability.toFixed(3);
      var d = p - D.start.probability;
      var ch = document.getElementById("headline-change");
      ch.textContent = Math.abs(d) < 5e-7 ? "no change" : "change " + (d < 0 ? "\u2212" : "+") +
        (Math.abs(d) >= 0.0005 ? Math.abs(d).toFixed(3) : Math.abs(d).toPrecision(1));
      ch.className = d > 0.0005 ? "delta-up" : d < -0.0005 ? "delta-down" : "";
    }
    document.getElementById("headline-note").textContent = note;
  }

  var startKey = null;
  function settingsKey() {
    return JSON.stringify([onInOrder(S.on), S.scenario || null, S.given, S.set, S.edits]) + "\n" + readerOps().text;
  }

  function stateLabel(id) {
    if (id in current.cond.given) return current.cond.given[id] + " (given)";
    if (id in current.cond.set) return current.cond.set[id] + " (set)";
    return null;
  }

  function valueLines(id, m) {
    var fixed = stateLabel(id);
    if (fixed) return [fixed];
    var meta = current.net.claims[id];
    if (!m) return ["—"];
    if (meta.states.length === 2 && meta.states[0] === "false") return [id === D.target ? "P = " + m[1].toFixed(3) : fmtP(m[1])];
    return [meta.states.map(function (s, k) { return s + " " + fmtP(m[k]); }).join(" \u00b7 ")];
  }

  function nodeParts(g) {
    return Array.prototype.filter.call(g.querySelectorAll("polygon, path, ellipse"), function (s) {
      var f = s.getAttribute("data-fill") || s.getAttribute("fill");
      if (!s.hasAttribute("data-fill")) s.setAttribute("data-fill", f || "none");
      return f && f !== "none";
    });
  }

  // Each view's nodes and edges, found once (with the text and shapes each repaint writes), and what was
  // last written to each: a repaint touches only what changed, without reading the DOM back.
  function diagramIndex(svg, info) {
    if (svg._index) return svg._index;
    var nodes = Array.prototype.map.call(svg.querySelectorAll("g.node"), function (g) {
      var id = g.getAttribute("data-id");
      return { g: g, id: id, part: id in info.parts, texts: Array.prototype.slice.call(g.querySelectorAll("text")),
               count: g.querySelector("text[data-role=count]"), value: g.querySelector("text[data-role=value]"),
               shapes: nodeParts(g), last: {} };
    });
    var edges = Array.prototype.map.call(svg.querySelectorAll("g.edge"), function (g) {
      var ends = (g.getAttribute("data-id") || "").split("->");
      return { g: g, key: ends[0] + "->" + ends[1], part: ends.some(function (e) { return e in info.parts; }), absent: null };
    });
    svg._index = { nodes: nodes, edges: edges };
    return svg._index;
  }
  function paintDiagram() {
    var box = document.getElementById("diagram"), svg = box.querySelector("svg");
    if (!svg) return;
    var info = D.diagrams[S.view] || D.diagrams.overview, index = diagramIndex(svg, info);
    function flag(n, cls, on) { if (n.last[cls] !== on) { n.last[cls] = on; toggle(n.g, cls, on); } }
    index.nodes.forEach(function (n) {
      var id = n.id, last = n.last;
      if (n.part) {
        var members = info.parts[id].filter(function (c) { return c in current.net.index; });
        flag(n, "absent", members.length === 0);
        if (n.count && last.count !== members.length) { last.count = members.length; setText(n.count, members.length + " claims"); }
        return;
      }
      var present = id in current.net.index;
      flag(n, "absent", !present);
      flag(n, "fixed", !!stateLabel(id));
      if (!present) return;
      var m = marginalOf(current, id);
      var meta = current.net.claims[id];
      var p = meta.states.length === 2 && m ? m[1] : null;
      var shown = valueLines(id, m)[0];
      if (last.p !== p) {
        last.p = p;
        var f = fill(p), tc = textColour(f);
        n.shapes.forEach(function (sh) { sh.setAttribute("fill", f); });
        n.texts.forEach(function (t) { t.setAttribute("fill", tc); });
      }
      if (last.shown !== shown || last.title !== meta.title) {
        last.shown = shown;
        last.title = meta.title;
        if (n.value) n.value.textContent = shown;
        n.g.setAttribute("aria-label", meta.title + ": " + shown + ". Press Enter to observe or set.");
      }
    });
    index.edges.forEach(function (e) {
      var absent = !e.part && !current.net.edges[e.key];
      if (e.absent !== absent) { e.absent = absent; toggle(e.g, "absent", absent); }
    });
    paintReaderClaims(svg, info);
  }

  function paintMoved() {
    var ol = document.getElementById("moved");
    if (!current.result.marginals) { ol.textContent = ""; return; }
    var rows = [];
    current.net.net.variables.forEach(function (id, i) {
      var m = current.result.marginals[i], b = base[id];
      if (!b || b.length !== m.length) return;
      var tv = 0;
      for (var k = 0; k < m.length; k++) tv += Math.abs(m[k] - b[k]);
      tv /= 2;
      if (tv < 5e-4) return;
      rows.push({ id: id, tv: tv, m: m, b: b });
    });
    rows.sort(function (a, b) { return b.tv - a.tv; });
    var key = rows.slice(0, 10).map(function (r) { return r.id + (r.m.length === 2 ? fmtP(r.m[1]) : fmtP(r.m[0])); }).join("|");
    if (ol.getAttribute("data-key") === key && key) return;
    ol.setAttribute("data-key", key);
    if (!rows.length) {
      ol.textContent = "";
      ol.appendChild(el("li", { "class": "note" }, "Nothing has moved yet: change a number, an overlay, the scenario or a condition."));
      return;
    }
    // ten rows of three spans, kept and rewritten in place: only the texts that differ are touched
    if (ol.firstChild && ol.firstChild.className === "note") ol.textContent = "";
    rows = rows.slice(0, 10);
    while (ol.children.length > rows.length) ol.lastChild.remove();
    while (ol.children.length < rows.length) {
      var li = el("li");
      li.appendChild(el("span"));
      li.appendChild(el("span"));
      li.appendChild(el("span"));
      ol.appendChild(li);
    }
    rows.forEach(function (r, i) {
      var meta = current.net.claims[r.id], spans = ol.children[i].children;
      setText(spans[0], meta.title + ": ");
      if (r.m.length === 2) {
        setText(spans[1], fmtP(r.b[1]) + " \u2192 " + fmtP(r.m[1]) + " ");
        setText(spans[2], "(" + fmtDelta(r.m[1] - r.b[1]) + ")");
        setAttr(spans[2], "class", r.m[1] > r.b[1] ? "delta-up" : "delta-down");
      } else {
        setText(spans[1], meta.states.map(function (st, k) { return st + " " + fmtP(r.m[k]); }).join(", "));
        setText(spans[2], "");
      }
    });
  }

  function paintConditions() {
    var ul = document.getElementById("conditions");
    var key = JSON.stringify([current.cond, S.given, S.set]);
    if (ul.getAttribute("data-key") === key) return;
    ul.setAttribute("data-key", key);
    ul.textContent = "";
    var any = false;
    [["given", "observed"], ["set", "set (intervention)"]].forEach(function (pair) {
      Object.keys(current.cond[pair[0]]).sort().forEach(function (id) {
        any = true;
        var li = el("li"), meta = current.net.claims[id];
        var fromScenario = !(id in S[pair[0]]);
        li.appendChild(el("span", {}, (meta ? meta.title : id) + " = " + current.cond[pair[0]][id] + ", " + pair[1] +
                                    (fromScenario ? " (scenario)" : "")));
        if (!fromScenario) {
          var b = el("button", { type: "button", "aria-label": "Clear condition on " + (meta ? meta.title : id) }, "clear");
          b.addEventListener("click", function () { delete S.given[id]; delete S.set[id]; changed(); });
          li.appendChild(b);
        }
        ul.appendChild(li);
      });
    });
    if (!any) ul.appendChild(el("li", { "class": "note" }, "None. Click a claim in the diagram to observe or set it."));
  }

  // ---------------------------------------------------------------- numbers panel
  function describe(p, c) {
    var title = function (id) { return c.claims[id] ? c.claims[id].title : id; };
    if (p.field === "credence") return p.kind === "simplex" ? "credence: " + p.state : "credence (P true)";
    if (p.field === "base") return "base: P(true) when no route or argument holds";
    if (p.field === "table") return "table row " + p.row + (p.state ? ": " + p.state : "");
    if (p.field === "ratio") return p.type + " ratio from \u201c" + title(p.source) + "\u201d";
    if (p.field === "leak") return "leak if \u201c" + title(p.source) + "\u201d fails";
    if (p.field === "p") return "route: P(\u201c" + title(p.source) + "\u201d alone brings it about)";
    if (p.field === "scale") return "how much of the " + p.type + " weight from \u201c" + title(p.source) + "\u201d counts when \u201c" +
      title(p.modulator) + "\u201d is " + p.state + " (1: all of it)";
    return p.field;
  }
  function ratioBounds(p, v) {
    var lo = 1 / 30, hi = 30;
    if (p.range) { lo = Math.min(lo, p.range[0] / 2); hi = Math.max(hi, p.range[1] * 2); }
    lo = Math.min(lo, v); hi = Math.max(hi, v);
    if (p.type === "supports") lo = 1;
    if (p.type === "opposes" || p.type === "undercuts") hi = 1;
    return [lo, hi];
  }
  var SCALE_TOP = 2;            // a modulator's scale slider runs from 0 to 2 (the box takes up to 100)
  function toSlider(p, v) {
    if (p.field === "scale") return Math.round(Math.min(v, SCALE_TOP) * 1000 / SCALE_TOP);
    if (p.field !== "ratio") return Math.round(v * 1000);
    var b = ratioBounds(p, v);
    return b[1] === b[0] ? 0 : Math.round(1000 * (Math.log(v) - Math.log(b[0])) / (Math.log(b[1]) - Math.log(b[0])));
  }
  function fromSlider(p, i, v) {
    if (p.field === "scale") return i * SCALE_TOP / 1000;
    if (p.field !== "ratio") return i / 1000;
    var b = ratioBounds(p, v);
    return Number(Math.exp(Math.log(b[0]) + (i / 1000) * (Math.log(b[1]) - Math.log(b[0]))).toPrecision(4));
  }
  function valid(p, v) {
    if (!isFinite(v)) return false;
    if (p.field === "ratio") {
      if (!(v > 0)) return false;
      if (p.type === "supports" && v < 1) return false;
      if ((p.type === "opposes" || p.type === "undercuts") && v > 1) return false;
      return true;
    }
    if (p.field === "scale") return v >= 0 && v <= 100;
    return v >= 0 && v <= 1;
  }
  function currentValue(c, name) { return name in S.edits ? S.edits[name] : c.net.theta[c.paramIndex[name]]; }

  function setParam(c, p, v) {
    if (p.kind === "simplex") {
      var others = p.group.filter(function (n) { return n !== p.name; });
      var rest = others.reduce(function (a, n) { return a + currentValue(c, n); }, 0);
      var left = 1 - v;
      others.forEach(function (n, k) {
        var w = rest > 0 ? currentValue(c, n) * left / rest : left / others.length;
        S.edits[n] = w;
      });
      // keep the sum exact in floating point: the last state takes what is left
      var last = others[others.length - 1];
      if (last !== undefined) {
        var sum = v;
        others.slice(0, -1).forEach(function (n) { sum += S.edits[n]; });
        S.edits[last] = Math.max(0, 1 - sum);
      }
    }
    S.edits[p.name] = v;
    p.group && p.group.forEach(function (n) { if (S.edits[n] === c.net.theta[c.paramIndex[n]]) delete S.edits[n]; });
    if (S.edits[p.name] === c.net.theta[c.paramIndex[p.name]]) delete S.edits[p.name];
  }

  var controls = {};            // param name -> {range, number, box, p, key}
  var openParts = {};           // parts whose numbers the reader has opened (kept across rebuilds)
  var partBoxes = {};           // part -> its <details>, kept across rebuilds
  // The numbers panel for the current map: a control is kept while its number means the same (same
  // name, description and claim title), so a reader's edit rebuilds only what it changed.
  function buildNumbers() {
    var host = document.getElementById("numbers"), c = current.net, next = {};
    var byPart = {};
    c.params.forEach(function (p) {
      if (p.fixed) return;
      var part = D.part_of[p.claim] || "";
      (byPart[part] = byPart[part] || []).push(p);
    });
    var parts = D.parts.map(function (x) { return x[0]; }).concat([""]), shown = [];
    parts.forEach(function (part) {
      var list = byPart[part];
      if (!list) return;
      var title = (D.parts.filter(function (x) { return x[0] === part; })[0] || [part, "Other claims and yours"])[1];
      var det = partBoxes[part];
      if (!det) {
        det = partBoxes[part] = el("details", { "class": "part", "data-part": part });
        if (openParts[part]) det.open = true;
        det.addEventListener("toggle", function () { openParts[part] = det.open; });
        det.appendChild(el("summary"));
      }
      setText(det.firstChild, title + " (" + list.length + ")");
      var boxes = list.map(function (p) {
        var ctl = controls[p.name];
        if (!ctl || !sameDeps(ctl.key, c, p)) { paramControl(c, p); ctl = controls[p.name]; ctl.key = paramDeps(c, p); }
        next[p.name] = ctl;
        return ctl.box;
      });
      reconcile(det, boxes, 1);
      shown.push(det);
    });
    controls = next;
    reconcile(host, shown, 0);
    refreshControls(c, null);
  }
  // What a number's control shows comes from its claim, its relation, and the claims named in its
  // description; the page's edits copy an object before changing it (the reader's own claims and
  // relations too: compile.js applyEdits' memo), so the same objects (===) mean the same control, and an
  // edit rebuilds only the controls of what it changed.
  function paramDeps(c, p) {
    var cl = c.map.claims;
    return [p.name, p.kind, cl[p.claim], p.relation ? c.relations[p.relation] : null, p.source ? cl[p.source] : null,
            p.modulator ? cl[p.modulator] : null];
  }
  function sameDeps(key, c, p) {            // paramDeps(c, p) equals ``key`` (without making it)
    var cl = c.map.claims;
    return !!key && key[0] === p.name && key[1] === p.kind && key[2] === cl[p.claim] &&
      key[3] === (p.relation ? c.relations[p.relation] : null) && key[4] === (p.source ? cl[p.source] : null) &&
      key[5] === (p.modulator ? cl[p.modulator] : null);
  }
  // Make ``parent``'s children (after the first ``skip``) exactly ``want``, moving only what differs, so
  // a reader's edit that adds or drops one control restyles that control, not the whole panel.
  function reconcile(parent, want, skip) {
    var had = parent._want;          // the same children as last time: nothing to do
    if (had && had.length === want.length && had.every(function (n, i) { return n === want[i]; })) return;
    parent._want = want.slice();
    var keep = new Set(want);
    Array.prototype.slice.call(parent.children, skip).forEach(function (n) { if (!keep.has(n)) n.remove(); });
    want.forEach(function (n, i) {
      var at = parent.children[skip + i];
      if (at !== n) parent.insertBefore(n, at || null);
    });
  }
  var uid = 0;
  function paramControl(c, p) {
    var box = el("div", { "class": "param" }), id = "p" + (uid++);
    var claim = c.claims[p.claim];
    box.appendChild(el("div", { "class": "what", id: id + "-l" }, claim.title));
    box.appendChild(el("div", { "class": "meta" }, describe(p, c)));
    var row = el("div", { "class": "row" });
    var v = currentValue(c, p.name);
    var range = el("input", { type: "range", min: "0", max: "1000", step: "1", id: id + "-r",
                              "aria-labelledby": id + "-l", "aria-describedby": id + "-d" });
    var num = el("input", { type: "number", step: "any", id: id + "-n", "aria-labelledby": id + "-l",
                            "aria-describedby": id + "-d", "data-param": p.name });
    if (p.field !== "ratio") { num.min = "0"; num.max = p.field === "scale" ? "100" : "1"; }
    range.value = String(toSlider(p, v));
    num.value = fmtNum(v);
    // handlers read the network current when they run (the control outlives recompiles)
    range.addEventListener("input", function () {
      var cn = current.net;
      setParam(cn, p, fromSlider(p, Number(range.value), currentValue(cn, p.name)));
      refreshControls(cn, p);
      changed();
    });
    num.addEventListener("change", function () {
      var x = Number(num.value), cn = current.net;
      if (num.value.trim() === "" || !valid(p, x)) {
        num.classList.add("invalid");
        num.setAttribute("aria-invalid", "true");
        return;
      }
      num.classList.remove("invalid");
      num.removeAttribute("aria-invalid");
      setParam(cn, p, x);
      refreshControls(cn, p);
      changed();
    });
    row.appendChild(range);
    row.appendChild(num);
    box.appendChild(row);
    var bits = [];
    if (claim.sections.length) bits.push("\u00a7" + claim.sections.join(", "));
    var prov = p.prov || {};
    var who = [prov.holder, prov.basis, prov.source].filter(Boolean).join(", ");
    if (who) bits.push(who);
    bits.push(p.range ? "90% range " + fmtNum(p.range[0]) + " to " + fmtNum(p.range[1]) : "no range given");
    var d = el("div", { "class": "meta", id: id + "-d" }, bits.join(" \u00b7 "));
    box.appendChild(d);
    if (prov.rationale) box.appendChild(el("div", { "class": "meta" }, "Why: " + prov.rationale));
    if (p.relation && (p.field === "ratio" || p.field === "leak" || p.field === "p")) {
      var rm = el("button", { type: "button", "class": "remove", "data-relation": p.relation,
                              "aria-label": "Remove the relation " + p.relation }, "remove this relation");
      rm.addEventListener("click", function () { removeRelation(p.relation); });
      box.appendChild(rm);
    }
    controls[p.name] = { range: range, number: num, box: box, p: p };
    box.classList.toggle("changed", p.name in S.edits);
    return box;
  }
  function refreshControls(c, p) {
    var names = p && p.group ? p.group : p ? [p.name] : Object.keys(controls);
    names.forEach(function (n) {
      var ctl = controls[n];
      if (!ctl) return;
      var v = currentValue(c, n), edited = n in S.edits;
      if (!p && ctl.v === v && ctl.edited === edited) return;     // what it shows is what it showed
      ctl.v = v;
      ctl.edited = edited;
      var r = String(toSlider(ctl.p, v)), t = fmtNum(v);
      if (document.activeElement !== ctl.range && ctl.range.value !== r) ctl.range.value = r;
      if ((document.activeElement !== ctl.number || !p) && ctl.number.value !== t) ctl.number.value = t;
      toggle(ctl.box, "changed", n in S.edits);
    });
  }

  // ---------------------------------------------------------------- overlays, scenarios, views
  function buildOverlays() {
    var fs = document.getElementById("overlays");
    if (!D.overlays.length) { fs.hidden = true; return; }
    D.overlays.forEach(function (o, i) {
      var lab = el("label", { title: (o.description || o.title) + (o.author ? " (" + o.author + ")" : "") });
      var box = el("input", { type: "checkbox", id: "ov" + i, "data-name": o.name });
      if (o.error) { box.disabled = true; lab.classList.add("disabled"); lab.title = "cannot be applied: " + o.error; }
      box.addEventListener("change", function () {
        var on = S.on.filter(function (n) { return n !== o.name; });
        if (box.checked) {
          on.push(o.name);
          o.builds_on.forEach(function (b) { if (on.indexOf(b) < 0) on.push(b); });
        } else {       // switching off what others build on switches those off too
          var drop = [o.name], grew = true;
          while (grew) {
            grew = false;
            D.overlays.forEach(function (x) {
              if (drop.indexOf(x.name) < 0 && x.builds_on.some(function (b) { return drop.indexOf(b) >= 0; })) { drop.push(x.name); grew = true; }
            });
          }
          on = on.filter(function (n) { return drop.indexOf(n) < 0; });
        }
        S.on = on;
        changed();
      });
      lab.appendChild(box);
      lab.appendChild(document.createTextNode(" " + o.name));
      fs.appendChild(lab);
    });
  }
  function syncOverlayBoxes() {
    D.overlays.forEach(function (o, i) {
      var box = document.getElementById("ov" + i);
      if (box) box.checked = S.on.indexOf(o.name) >= 0;
    });
  }
  function buildScenario() {
    var sel = document.getElementById("scenario"), sc = current.map.scenarios;
    var key = JSON.stringify([sc, current.map.default_scenario]);
    if (sel.getAttribute("data-key") === key) {            // the same scenarios: only the choice may differ
      var want = S.scenario && S.scenario in sc ? S.scenario : "";
      if (sel.value !== want) sel.value = want;
      return;
    }
    sel.setAttribute("data-key", key);
    sel.textContent = "";
    Object.keys(sc).forEach(function (name) {
      var o = el("option", { value: name }, name + (name === current.map.default_scenario ? " (default)" : ""));
      if (sc[name].description) o.title = sc[name].description;
      sel.appendChild(o);
    });
    sel.appendChild(el("option", { value: "" }, "none"));
    sel.value = S.scenario && S.scenario in sc ? S.scenario : "";
  }
  function buildViews() {
    var sel = document.getElementById("view");
    sel.appendChild(el("option", { value: "overview" }, "Overview (parts collapsed)"));
    D.parts.forEach(function (x) {
      if (D.diagrams["part:" + x[0]]) sel.appendChild(el("option", { value: "part:" + x[0] }, "Expand: " + x[1]));
    });
    sel.addEventListener("change", function () { showView(sel.value); });
  }
  function showView(key) {
    S.view = D.diagrams[key] ? key : "overview";
    document.getElementById("view").value = S.view;
    var box = document.getElementById("diagram");
    if (!svgCache[S.view]) svgCache[S.view] = prepareSvg(D.diagrams[S.view]);
    box.textContent = "";
    box.appendChild(svgCache[S.view]);
    fit();
    if (current) paintDiagram();
  }

  // Parse an SVG made by Graphviz, tag nodes and edges with ids, and mark the label lines to repaint.
  function prepareSvg(info) {
    var doc = new DOMParser().parseFromString(info.svg, "image/svg+xml");
    var svg = document.importNode(doc.documentElement, true);
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("role", "group");
    svg.setAttribute("aria-label", "Argument map diagram");
    Array.prototype.forEach.call(svg.querySelectorAll("a"), function (a) {   // tooltips only: no links
      a.removeAttribute("xlink:href");
      a.removeAttribute("href");
    });
    Array.prototype.forEach.call(svg.querySelectorAll("g.node"), function (g) {
      var t = g.querySelector("title"), id = t ? t.textContent : "";
      g.setAttribute("data-id", id);
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      var texts = g.querySelectorAll("text");
      if (id in info.parts) {
        g.setAttribute("aria-label", (texts[0] ? texts[0].textContent : id) + ": expand this part");
        Array.prototype.forEach.call(texts, function (x) { if (/ claims$/.test(x.textContent)) x.setAttribute("data-role", "count"); });
      } else {
        // the value line is the first line after the bold title lines
        var value = null;
        Array.prototype.forEach.call(texts, function (x) {
          if (!value && x.getAttribute("font-weight") !== "bold") value = x;
        });
        if (value) value.setAttribute("data-role", "value");
      }
      g.addEventListener("click", function (ev) { ev.stopPropagation(); activate(id); });
      g.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); activate(id); }
      });
    });
    Array.prototype.forEach.call(svg.querySelectorAll("g.edge"), function (g) {
      var t = g.querySelector("title");
      g.setAttribute("data-id", t ? t.textContent : "");
    });
    return svg;
  }
  function activate(id) {
    var info = D.diagrams[S.view];
    if (id in info.parts) {
      var part = id.replace(/^Part_/, "");
      showView(D.diagrams["part:" + part] ? "part:" + part : "overview");
      return;
    }
    openDialog(id);
  }


  // ---------------------------------------------------------------- the reader's claims in the diagram
  // The diagrams are laid out by Graphviz when the page is made; the reader's own claims are drawn on top:
  // each a box with a thick orange dashed outline (yours, not the map's) in the nearest free space beside
  // the claim it bears on (or the collapsed part holding that claim), joined to it by its relation's edge
  // in the diagrams' style (render/style.py: supports green, opposes red dashed, undercuts dotted with a
  // bar, a route blue with a double head). Fills and numbers follow every update like the map's nodes.
  var READER_EDGE = { supports: ["#1b7837", "", "arrow"], opposes: ["#c0392b", "8 4", "arrow"],
                      undercuts: ["#8e2c5a", "2 4", "tee"], route: ["#2166ac", "", "arrow2"] };
  // a box {x, y, w, h} from the coordinates in an element's shapes (no layout needed)
  function shapeBox(g) {
    var xs = [], ys = [];
    Array.prototype.forEach.call(g.querySelectorAll("polygon, polyline, path, ellipse"), function (s) {
      if (s.tagName === "ellipse") {
        var cx = +s.getAttribute("cx"), cy = +s.getAttribute("cy"), rx = +s.getAttribute("rx"), ry = +s.getAttribute("ry");
        xs.push(cx - rx, cx + rx); ys.push(cy - ry, cy + ry);
        return;
      }
      var nums = (s.getAttribute("points") || s.getAttribute("d") || "").match(/-?\d+(\.\d+)?(e-?\d+)?/g) || [];
      for (var i = 0; i + 1 < nums.length; i += 2) { xs.push(+nums[i]); ys.push(+nums[i + 1]); }
    });
    if (!xs.length) return null;
    var x0 = Math.min.apply(null, xs), y0 = Math.min.apply(null, ys);
    return { x: x0, y: y0, w: Math.max.apply(null, xs) - x0, h: Math.max.apply(null, ys) - y0 };
  }
  function viewGeometry(svg) {
    if (svg._geometry) return svg._geometry;
    var boxes = {}, sizes = [];
    Array.prototype.forEach.call(svg.querySelectorAll("g.node"), function (g) {
      var b = shapeBox(g);
      if (b) boxes[g.getAttribute("data-id")] = b;
      var t = g.querySelector("text");
      if (t) sizes.push(+t.getAttribute("font-size") || 14);
    });
    var bg = svg.querySelector("g.graph > g > a > polygon, g.graph > polygon");
    sizes.sort(function (a, b) { return a - b; });
    svg._geometry = { boxes: boxes, bounds: bg ? shapeBox({ querySelectorAll: function () { return [bg]; } }) : null,
                      font: sizes.length ? sizes[sizes.length >> 1] : 14 };
    return svg._geometry;
  }
  function overlaps(a, b, pad) {
    return a.x < b.x + b.w + pad && b.x < a.x + a.w + pad && a.y < b.y + b.h + pad && b.y < a.y + a.h + pad;
  }
  // where to put a w x h box beside ``anchor``: the first candidate (left, right, above, below, the
  // diagonals, then twice and three times as far) that meets no node, no placed box and stays in bounds
  function placeBeside(anchor, w, h, taken, bounds) {
    var gap = h * 0.6, cx = anchor.x + anchor.w / 2, cy = anchor.y + anchor.h / 2;
    for (var k = 1; k <= 4; k++) {
      var dx = anchor.w / 2 + gap * k + w / 2, dy = anchor.h / 2 + gap * k + h / 2;
      var spots = [[-dx, 0], [dx, 0], [0, -dy], [0, dy], [-dx, -dy], [dx, -dy], [-dx, dy], [dx, dy]];
      for (var i = 0; i < spots.length; i++) {
        var b = { x: cx + spots[i][0] - w / 2, y: cy + spots[i][1] - h / 2, w: w, h: h };
        if (bounds && (b.x < bounds.x || b.y < bounds.y || b.x + b.w > bounds.x + bounds.w || b.y + b.h > bounds.y + bounds.h)) continue;
        if (!taken.some(function (t) { return overlaps(b, t, gap / 3); })) return b;
      }
    }
    return { x: anchor.x - gap - w, y: cy - h / 2, w: w, h: h };
  }
  // the point where the segment from box a's centre towards box b's centre leaves a
  function border(a, b) {
    var cx = a.x + a.w / 2, cy = a.y + a.h / 2, dx = b.x + b.w / 2 - cx, dy = b.y + b.h / 2 - cy;
    var t = Math.min(dx ? a.w / 2 / Math.abs(dx) : Infinity, dy ? a.h / 2 / Math.abs(dy) : Infinity);
    return [cx + dx * t, cy + dy * t];
  }
  function wrapTitle(text, width, lines) {
    var out = [], line = "";
    text.split(/\s+/).forEach(function (word) {
      if (out.length >= lines) return;
      if ((line + " " + word).trim().length <= width) { line = (line + " " + word).trim(); return; }
      if (line) out.push(line);
      line = word.length > width ? word.slice(0, width - 1) + "\u2026" : word;
    });
    if (line && out.length < lines) out.push(line);
    else if (line && out.length) out[lines - 1] = out[lines - 1].replace(/.?$/, "\u2026");
    return out;
  }
  function readerMarkers(layer) {
    var defs = svgEl("defs");
    Object.keys(READER_EDGE).forEach(function (type) {
      var e = READER_EDGE[type], m = svgEl("marker", { id: "reader-" + type, viewBox: "0 0 12 10", refX: "11", refY: "5",
                                                       markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
      if (e[2] === "tee") m.appendChild(svgEl("path", { d: "M 10 0 L 10 10", stroke: e[0], "stroke-width": "2.5" }));
      else m.appendChild(svgEl("path", { d: e[2] === "arrow2" ? "M 0 0 L 6 5 L 0 10 z M 5 0 L 11 5 L 5 10 z" : "M 0 0 L 11 5 L 0 10 z", fill: e[0] }));
      defs.appendChild(m);
    });
    layer.appendChild(defs);
  }
  // Each drawn claim stays where it was put while it means the same (id, title, relation, target): an
  // edit adds or removes one box, and the others do not move.
  function paintReaderClaims(svg, info) {
    var graph = svg.querySelector("g.graph");
    if (!graph) return;
    var claims = S.critique.claims.filter(function (a) { return a.id in current.net.index; });
    var layer = graph.querySelector("g.reader-layer");
    if (!layer) {
      layer = svgEl("g", { "class": "reader-layer" });
      readerMarkers(layer);
      graph.appendChild(layer);
      layer._drawn = {};
    }
    var drawn = layer._drawn, keep = {};
    claims.forEach(function (a) {
      var k = JSON.stringify([a.title, a.type, a.target]);
      if (drawn[a.id] && drawn[a.id].key === k) keep[a.id] = drawn[a.id];
    });
    Object.keys(drawn).forEach(function (id) {
      if (!keep[id]) { drawn[id].g.remove(); drawn[id].edge.remove(); }
    });
    layer._drawn = drawn = keep;
    var geo = null;
    claims.forEach(function (a) {
      if (drawn[a.id]) return;
      geo = geo || viewGeometry(svg);
      var fs = geo.font, w = fs * 14, h = fs * 3.6, into = a.target;
      var anchor = geo.boxes[a.target] || (drawn[a.target] && drawn[a.target].box);
      if (!anchor) Object.keys(info.parts).forEach(function (pid) { if (!anchor && info.parts[pid].indexOf(a.target) >= 0) { anchor = geo.boxes[pid]; into = pid; } });
      if (!anchor) return;
      var taken = Object.keys(geo.boxes).map(function (id) { return geo.boxes[id]; })
        .concat(Object.keys(drawn).map(function (id) { return drawn[id].box; }));
      var b = placeBeside(anchor, w, h, taken, geo.bounds), e = READER_EDGE[a.type];
      var p0 = border(b, anchor), p1 = border(anchor, b);
      var edge = svgEl("path", { "class": "reader-edge", "data-id": a.id + "->" + a.target, d: "M" + p0.join(",") + " L" + p1.join(","),
                                 stroke: e[0], "stroke-width": String(fs / 7), "stroke-dasharray": e[1] || "none", fill: "none",
                                 "marker-end": "url(#reader-" + a.type + ")" });
      var g = svgEl("g", { "class": "reader-node", "data-id": a.id, tabindex: "0", role: "button" });
      var t = current.net.claims[a.target];
      g.appendChild(svgEl("title", {}, "Your claim: " + a.title + " (" + a.type + " \u201c" + (t ? t.title : a.target) + "\u201d" +
                                      (into !== a.target ? ", inside this part" : "") + ")"));
      g.appendChild(svgEl("rect", { x: b.x, y: b.y, width: w, height: h, rx: fs / 3, fill: "#eeeeee", stroke: "#d35400",
                                    "stroke-width": String(fs / 5), "stroke-dasharray": (fs / 2) + " " + (fs / 4) }));
      var lines = wrapTitle(a.title, 22, 2);
      lines.forEach(function (ln, k) {
        g.appendChild(svgEl("text", { x: b.x + w / 2, y: b.y + fs * (1.25 + 1.1 * k) + (lines.length === 1 ? fs * 0.55 : 0), "text-anchor": "middle",
                                      "font-size": fs, "font-weight": "bold", "font-family": "DejaVu Sans,Helvetica,Arial,sans-serif" }, ln));
      });
      g.appendChild(svgEl("text", { x: b.x + w / 2, y: b.y + h - fs * 0.55, "text-anchor": "middle", "font-size": fs * 0.9,
                                    "font-family": "DejaVu Sans,Helvetica,Arial,sans-serif", "data-role": "value" }, ""));
      g.addEventListener("click", function (ev) { ev.stopPropagation(); openDialog(a.id); });
      g.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); openDialog(a.id); } });
      layer.appendChild(edge);
      layer.appendChild(g);
      drawn[a.id] = { key: JSON.stringify([a.title, a.type, a.target]), g: g, edge: edge, box: b, rect: g.querySelector("rect"),
                      texts: Array.prototype.slice.call(g.querySelectorAll("text")), value: g.querySelector("text[data-role=value]"), last: {} };
    });
    Object.keys(drawn).forEach(function (id) {          // (what each node shows is written only when it changes)
      var d = drawn[id], last = d.last, m = marginalOf(current, id), p = m ? m[1] : null;
      var shown = valueLines(id, m)[0] + " \u00b7 yours", title = current.net.claims[id].title;
      if (last.p !== p) {
        last.p = p;
        var f = fill(p), tc = textColour(f);
        setAttr(d.rect, "fill", f);
        d.texts.forEach(function (t) { setAttr(t, "fill", tc); });
      }
      if (last.shown !== shown || last.title !== title) {
        last.shown = shown;
        last.title = title;
        setText(d.value, shown);
        setAttr(d.g, "aria-label", "Your claim " + title + ": " + shown + ". Press Enter for details.");
      }
    });
  }


  // ---------------------------------------------------------------- why it moved: the chain of claims
  // Claims the reader's settings touch directly: numbers moved, overlays switched, claims added,
  // relations removed, views stated, claims observed or set (compared with the page's start).
  function editedClaims() {
    var out = {}, c = current.net, start = startSettings();
    Object.keys(S.edits).forEach(function (n) {
      var i = c.paramIndex[n];
      if (i !== undefined) out[c.params[i].claim] = "you changed a number of it";
    });
    D.overlays.forEach(function (o) {
      if ((S.on.indexOf(o.name) >= 0) === (start.on.indexOf(o.name) >= 0) || o.error) return;
      o.edits.forEach(function (e) {
        var id = e[0] === "claim" || e[0] === "drop" || e[0] === "obs" ? e[1] : e[0] === "rel" || e[0] === "unrel" ? e[1].split(" -> ")[1] : null;
        if (id) out[id] = "overlay " + o.name + " edits it";
      });
    });
    S.critique.claims.forEach(function (a) { out[a.id] = "your claim"; });
    S.critique.removed.forEach(function (k) { out[k.split(" -> ")[1]] = "you removed " + k; });
    (S.answers || []).forEach(function (a) { out[a.claim] = "your stated view"; });
    ["given", "set"].forEach(function (k) {
      Object.keys(S[k]).forEach(function (id) { if (start[k][id] !== S[k][id]) out[id] = k === "given" ? "you observed it" : "you set it"; });
    });
    return out;
  }
  // The shortest path (along relations, either way: evidence flows up as well as down) from a claim the
  // reader touched to ``id``, with each claim's probability at the start and now.
  function chainTo(id) {
    var edited = editedClaims(), c = current.net, nbrs = {};
    c.net.variables.forEach(function (v, i) {
      nbrs[v] = nbrs[v] || [];
      c.net.parents[i].forEach(function (pi) {
        var p = c.net.variables[pi];
        (nbrs[p] = nbrs[p] || []).push(v);
        nbrs[v].push(p);
      });
    });
    var prev = {}, queue = [id], seen = {};
    seen[id] = true;
    while (queue.length) {
      var v = queue.shift();
      if (edited[v]) {
        var path = [v];
        while (path[path.length - 1] !== id) path.push(prev[path[path.length - 1]]);
        return path.map(function (x, k) { return { id: x, why: k === 0 ? edited[x] : null }; });
      }
      (nbrs[v] || []).forEach(function (u) { if (!seen[u]) { seen[u] = true; prev[u] = v; queue.push(u); } });
    }
    return null;
  }
  function paintChain(id) {
    var host = document.getElementById("dlg-chain");
    host.textContent = "";
    var chain = chainTo(id);
    if (!chain) { host.appendChild(el("p", { "class": "note" }, "Nothing you changed reaches this claim.")); return; }
    host.appendChild(el("p", { "class": "note" }, "How your changes reach it:"));
    var ol = el("ol");
    chain.forEach(function (link) {
      var meta = current.net.claims[link.id], m = marginalOf(current, link.id), b = base[link.id];
      var k = meta.states.length === 2 && meta.states[0] === "false" ? 1 : 0, li = el("li");
      var now = m ? m[k] : null, was = b && b.length === meta.states.length ? b[k] : null;
      var label = meta.states.length === 2 && k === 1 ? "" : " P(" + meta.states[k] + ")";
      li.appendChild(el("span", {}, meta.title + label + ": " + (was === null ? "new, " : fmtP(was) + " \u2192 ") + (now === null ? "\u2014" : fmtP(now)) + " "));
      if (was !== null && now !== null && Math.abs(now - was) >= 5e-4) li.appendChild(el("span", { "class": now > was ? "delta-up" : "delta-down" }, "(" + fmtDelta(now - was) + ")"));
      if (link.why) li.appendChild(el("span", { "class": "note" }, " \u2014 " + link.why));
      ol.appendChild(li);
    });
    host.appendChild(ol);
  }

  // ---------------------------------------------------------------- claim dialog
  var lastFocus = null;
  function openDialog(id) {
    var meta = current.net.claims[id];
    if (!meta) return;
    lastFocus = document.activeElement;
    var dlg = document.getElementById("claim-dialog");
    document.getElementById("dlg-title").textContent = meta.title;
    var m = marginalOf(current, id);
    var body = [];
    if (m) body.push(meta.states.map(function (s, k) { return "P(" + s + ") = " + m[k].toFixed(3); }).join(", "));
    if (meta.sections.length) body.push("report \u00a7" + meta.sections.join(", "));
    if (meta.text) body.push(meta.text);
    document.getElementById("dlg-body").textContent = body.join(". ");
    var link = document.getElementById("dlg-link");        // the claim's url: (http, https, or doi: as https://doi.org/)
    link.textContent = "";
    link.hidden = !(meta.url && /^https?:\/\//.test(meta.url));
    if (!link.hidden) {
      link.appendChild(document.createTextNode("Read more: "));
      link.appendChild(el("a", { href: meta.url, target: "_blank", rel: "noopener noreferrer" }, meta.url));
    }
    paintChain(id);
    var acts = document.getElementById("dlg-actions");
    acts.textContent = "";
    var observation = id in current.map.observations;   // conditioned on, never set
    [["given", "Observe (condition on it)"], ["set", "Set (intervene, cutting its causes)"]].forEach(function (pair) {
      if (observation && pair[0] === "set") return;
      acts.appendChild(el("div", { "class": "group" }, pair[1] + ":"));
      meta.states.forEach(function (s) {
        var b = el("button", { type: "button", "aria-pressed": String(S[pair[0]][id] === s) }, s);
        b.addEventListener("click", function () {
          delete S.given[id]; delete S.set[id];
          S[pair[0]][id] = s;
          closeDialog();
          changed();
        });
        acts.appendChild(b);
      });
    });
    var clear = el("button", { type: "button" }, "Clear");
    clear.addEventListener("click", function () { delete S.given[id]; delete S.set[id]; closeDialog(); changed(); });
    acts.appendChild(el("div", { "class": "group" }, ""));
    acts.appendChild(clear);
    dlg.hidden = false;
    acts.querySelector("button").focus();
  }
  function closeDialog() {
    document.getElementById("claim-dialog").hidden = true;
    if (lastFocus && lastFocus.focus) lastFocus.focus();
  }

  // ---------------------------------------------------------------- pan and zoom
  function setVb() { var svg = document.querySelector("#diagram svg"); if (svg && vb) svg.setAttribute("viewBox", [vb.x, vb.y, vb.w, vb.h].join(" ")); }
  function fit() {
    var svg = document.querySelector("#diagram svg");
    if (!svg) return;
    if (!svg.getAttribute("data-vb")) svg.setAttribute("data-vb", svg.getAttribute("viewBox"));
    var v = svg.getAttribute("data-vb").split(/[\s,]+/).map(Number);
    vb = { x: v[0], y: v[1], w: v[2], h: v[3] };
    setVb();
  }
  function zoom(factor, cx, cy) {
    if (!vb) return;
    cx = cx === undefined ? vb.x + vb.w / 2 : cx;
    cy = cy === undefined ? vb.y + vb.h / 2 : cy;
    vb = { x: cx - (cx - vb.x) * factor, y: cy - (cy - vb.y) * factor, w: vb.w * factor, h: vb.h * factor };
    setVb();
  }
  function setupPanZoom() {
    var box = document.getElementById("diagram"), drag = null;
    function toSvg(ev) {
      var r = box.getBoundingClientRect(), s = Math.max(vb.w / r.width, vb.h / r.height);
      var ox = (r.width * s - vb.w) / 2, oy = (r.height * s - vb.h) / 2;
      return { x: vb.x - ox + (ev.clientX - r.left) * s, y: vb.y - oy + (ev.clientY - r.top) * s, s: s };
    }
    box.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var p = toSvg(ev);
      zoom(ev.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
    }, { passive: false });
    box.addEventListener("pointerdown", function (ev) {
      if (ev.target.closest && ev.target.closest("g.node, g.reader-node")) return;
      drag = { x: ev.clientX, y: ev.clientY, vb: Object.assign({}, vb), s: toSvg(ev).s };
      box.setPointerCapture(ev.pointerId);
    });
    box.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      vb = Object.assign({}, drag.vb, { x: drag.vb.x - (ev.clientX - drag.x) * drag.s, y: drag.vb.y - (ev.clientY - drag.y) * drag.s });
      setVb();
    });
    box.addEventListener("pointerup", function () { drag = null; });
    document.getElementById("zoom-in").addEventListener("click", function () { zoom(1 / 1.3); });
    document.getElementById("zoom-out").addEventListener("click", function () { zoom(1.3); });
    document.getElementById("zoom-fit").addEventListener("click", fit);
  }

  function legend() {
    var lg = document.getElementById("legend");
    lg.appendChild(el("span", {}, "P(true):"));
    var sc = el("span", { "class": "scale" });
    [0, 0.2, 0.4, 0.6, 0.8, 1].forEach(function (x) {
      var f = fill(x), s = el("span", {}, x.toFixed(1));
      s.style.background = f; s.style.color = textColour(f);
      sc.appendChild(s);
    });
    lg.appendChild(sc);
    lg.appendChild(el("span", {}, "grey: several states or a collapsed part \u00b7 dashed thick outline: observed or set \u00b7 orange dashed outline: your claims \u00b7 green: supports, red dashed: opposes, dotted: undercuts, grey: requires"));
  }



  // ---------------------------------------------------------------- the headline's interval
  // The model of `argmap run --spread` (argmap.analysis.sensitivity.spread; the draws in spread.js): every
  // uncertain number of the map drawn from its stated distribution, jointly, leaning toward the
  // conclusion with the map's rank correlation rho (D.correlation), and beside it the same draws taken
  // independently. Numbers the reader set stay at the reader's value. The work runs in slices of a few
  // milliseconds after the reader pauses, so it never delays a repaint.
  var SPREAD_DRAWS = 1000, SPREAD_SEED = 20261207, SLICE_MS = 4, Z95 = 1.6448536269514722, NUDGE = 1e-4;
  function spreadFactor(p, c) {
    if (p.kind === "probability") {
      var ab = p.beta || (p.range && p.range[0] < p.range[1] ? D.betas[jsPy(p.range[0]) + "," + jsPy(p.range[1])] : null);
      return ab ? { kind: "beta", a: ab[0], b: ab[1] } : null;
    }
    if ((p.kind === "ratio" || p.kind === "scale") && p.range && p.range[0] < p.range[1]) {
      var lo = p.range[0], hi = p.range[1];
      if (lo > 0) return { kind: "lognormal", mu: (Math.log(lo) + Math.log(hi)) / 2, sigma: (Math.log(hi) - Math.log(lo)) / (2 * Z95) };
      return { kind: "uniform", lo: lo, hi: hi };
    }
    return null;
  }
  function jsPy(x) { return String(x).indexOf(".") < 0 && String(x).indexOf("e") < 0 ? x.toFixed(1) : String(x); }
  function quantile(sorted, f) {          // numpy's default (linear) quantile
    var h = (sorted.length - 1) * f, i = Math.floor(h);
    return i + 1 < sorted.length ? sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
  }
  // run ``f`` as soon as the browser has handled what is waiting (input first), without setTimeout's
  // 4 ms clamp on nested timers
  var soonQueue = [], soonChannel = null;
  function soon(f) {
    if (!soonChannel) {
      soonChannel = new MessageChannel();
      soonChannel.port1.onmessage = function () { var g = soonQueue.shift(); if (g) g(); };
    }
    soonQueue.push(f);
    soonChannel.port2.postMessage(0);
  }
  // The point a source states for the target under the page's scenario (a range's midpoint), as
  // spread.stated_figure: none once the reader fixes claims (the source did not condition on them).
  function statedFigure() {
    if (Object.keys(S.given).length || Object.keys(S.set).length) return { value: null };
    var rows = (D.base.stated || []).filter(function (x) {
      return x.claim === D.target && (x.scenario || null) === (S.scenario || null) &&
        !(x.given && Object.keys(x.given).length) && !(x.band && x.band.length) && !(x.bands && x.bands.length);
    });
    for (var i = 0; i < rows.length; i++) {
      var v = rows[i].value !== undefined ? rows[i].value : rows[i].range ? (rows[i].range[0] + rows[i].range[1]) / 2 : null;
      if (v !== null) return { value: v, who: rows[i].holder || "the source" };
    }
    return { value: null };
  }
  var spreadJob = null;
  function scheduleSpread() {
    clearTimeout(spreadJob && spreadJob.timer);
    if (spreadJob) spreadJob.cancelled = true;
    var box = document.getElementById("headline-spread");
    ["data-lo", "data-hi", "data-ind-lo", "data-ind-hi", "data-rho", "data-median"].forEach(function (a) { box.removeAttribute(a); });
    if (!current || !current.result.marginals) { setText(box, ""); return; }
    var c = current.net, cond = current.cond;
    if (spreadNone === c) { setText(box, ""); return; }          // this network has no uncertain number
    if (box.textContent.slice(-1) !== "\u2026") setText(box, "90% interval: computing\u2026");
    // the draws' factors too are found after the reader pauses: an edit does not wait for them
    var job = spreadJob = { cancelled: false, signs: [], ind: [], cor: [], done: 0, u: ArgmapSpread.rng(SPREAD_SEED), p0: null };
    job.timer = setTimeout(function () { if (!job.cancelled) runSpread(job, c, cond, box); }, 300);
  }
  var spreadNone = null;
  function runSpread(job, c, cond, box) {
    var point = theta(c), factors = [], seen = {};
    c.params.forEach(function (p, i) {
      if (p.name in S.edits) return;
      if (p.kind === "simplex") {       // a categorical root with a concentration: a Dirichlet around its point
        var conc = p.field === "credence" && c.claims[p.claim].concentration;
        if (!conc || seen[p.claim] || p.group.some(function (n) { return n in S.edits; })) return;
        seen[p.claim] = true;
        var idx = p.group.map(function (n) { return c.paramIndex[n]; });
        factors.push({ cols: idx, dims: idx.length, kind: p.kind, f: { kind: "dirichlet", alpha: idx.map(function (j) { return conc * point[j]; }) } });
        return;
      }
      var f = spreadFactor(p, c);
      if (f) factors.push({ cols: [i], dims: 1, kind: p.kind, f: f });
    });
    if (!factors.length) {                 // (with no number edited: edits only take numbers out of the draws)
      if (!Object.keys(S.edits).length) spreadNone = c;
      setText(box, "");
      return;
    }
    var rho = D.correlation ? D.correlation.value : 0, r = ArgmapSpread.latentCorrelation(rho), t = c.index[D.target];
    var pOf = function (th) { var res = c.marginals(th, cond.given, cond.set, t); return res.marginals ? res.marginals[t][res.marginals[t].length - 1] : null; };
    setText(box, "90% interval over the map's " + factors.length + " uncertain numbers: computing\u2026");
    var dims = factors.map(function (x) { return x.dims; }), groups = null, perPart = D.correlation && D.correlation.shared_factor === "part";
    if (perPart) {                    // one shared lean per part of the map (spread.part_groups: the number's claim's part)
      var seenPart = {};
      groups = factors.map(function (x) {
        var part = c.claims[c.params[x.cols[0]].claim].part || "";
        if (!(part in seenPart)) seenPart[part] = Object.keys(seenPart).length;
        return seenPart[part];
      });
    }
    function draw(th, f, z) {
      var x = ArgmapSpread.fromNormal(f.f, z);
      if (f.dims === 1) th[f.cols[0]] = x; else f.cols.forEach(function (j, k) { th[j] = x[k]; });
    }
    function slice() {
      if (job.cancelled) return;
      var t0 = performance.now();
      while (performance.now() - t0 < SLICE_MS) {
        if (rho > 0 && job.signs.length < factors.length) {      // the direction of each number's lean (spread.toward)
          if (job.p0 === null) job.p0 = pOf(point);
          var f = factors[job.signs.length], s = 0;
          if (f.dims === 1) {
            var th = Float64Array.from(point), col = f.cols[0], x = point[col], up = 1;
            if (f.kind === "ratio" || f.kind === "scale") th[col] = x > 0 ? x * (1 + NUDGE) : NUDGE;
            else if (x + NUDGE <= 1) th[col] = x + NUDGE;
            else { th[col] = x - NUDGE; up = -1; }
            var p1 = pOf(th);
            s = p1 === null || job.p0 === null ? 0 : Math.sign(p1 - job.p0) * up;
          }
          job.signs.push(s);
          continue;
        }
        if (job.done >= SPREAD_DRAWS) break;
        var sc = ArgmapSpread.scores(job.u, dims, rho > 0 ? job.signs : dims.map(function () { return 0; }), r, groups);
        var ti = Float64Array.from(point), tc = Float64Array.from(point);
        factors.forEach(function (f, k) { draw(ti, f, sc[0][k]); if (rho > 0) draw(tc, f, sc[1][k]); });
        var vi = pOf(ti), vc = rho > 0 ? pOf(tc) : vi;
        if (vi !== null) job.ind.push(vi);
        if (vc !== null) job.cor.push(vc);
        job.done++;
      }
      if (job.done < SPREAD_DRAWS) { soon(slice); return; }
      var vi2 = job.ind.slice().sort(function (a, b) { return a - b; }), vc2 = job.cor.slice().sort(function (a, b) { return a - b; });
      var ind = [quantile(vi2, 0.05), quantile(vi2, 0.95)], cor = [quantile(vc2, 0.05), quantile(vc2, 0.95)];
      job.result = rho > 0 ? cor : ind;
      box.setAttribute("data-lo", String(job.result[0]));
      box.setAttribute("data-hi", String(job.result[1]));
      box.setAttribute("data-ind-lo", String(ind[0]));
      box.setAttribute("data-ind-hi", String(ind[1]));
      box.setAttribute("data-rho", String(rho));
      var range = function (q) { return q[0].toFixed(3) + " to " + q[1].toFixed(3); };
      var n = factors.length + " uncertain numbers", draws = " (" + job.done.toLocaleString("en") + " joint draws)";
      var st = statedFigure(), mid = function (v) {
        var mean = v.reduce(function (a, b) { return a + b; }, 0) / v.length;
        return "median " + quantile(v, 0.5).toFixed(3) + ", mean " + mean.toFixed(3);
      };
      var placed = function (v) {        // as summarise(): percentile by a direct count of draws below
        if (st.value === null || !v.length) return "";
        var below = v.filter(function (x) { return x < st.value; }).length;
        return "; " + st.who + "'s " + st.value + " at the " + (100 * below / v.length).toFixed(1) +
          "th percentile, P(draw \u2265 " + st.value + ") = " + ((v.length - below) / v.length).toFixed(3);
      };
      box.setAttribute("data-median", String(quantile(rho > 0 ? vc2 : vi2, 0.5)));
      setText(box, rho > 0
        ? "90% interval " + range(cor) + " (" + mid(vc2) + placed(vc2) + "): the map's " + n +
          " leaning together toward the conclusion" +
          (perPart ? ", one shared lean per part of the map," : "") + " with rank correlation \u03c1 = " +
          rho + (D.correlation.source === "map" ? " (the map's stated correlation" : " (as given") +
          ", as argmap run --spread); drawn independently " + range(ind) + " (" + mid(vi2) + placed(vi2) + ")" + draws
        : "90% interval " + range(ind) + " (" + mid(vi2) + placed(vi2) + ") over the map's " + n +
          ", drawn independently" + draws);
      box.title = rho > 0 && D.correlation.rationale ? "Why \u03c1 = " + rho + ": " + D.correlation.rationale : "";
    }
    slice();
  }

  // ---------------------------------------------------------------- writing a critique in the page
  // The reader's claims and removals are edits to the map, in the order an overlay file applies them
  // (add, then the numbers' changes through θ, then remove), so the downloaded overlay gives the same map.
  var OVERLAY = "my-critique";
  function readerProv(reason, band) {
    var C = S.critique, p = { holder: C.name || "a reader", basis: "illustrative", source: C.source || "argmap explore" };
    if (reason) p.rationale = reason;
    if (band) p.band = band;
    return p;
  }
  // The reader's edits as an overlay applies them, with each one's JSON: {ops, texts}. A reader's claim
  // (never changed once made) keeps its two edits while the reader's name and source stay the same.
  var claimOps = new WeakMap();
  function critiqueOps() {
    var C = S.critique || emptyCritique(), ops = [], texts = [], sig = (C.name || "") + "\u0000" + (C.source || "");
    function add(e) { ops.push(e); texts.push(JSON.stringify(e)); }
    C.claims.forEach(function (a) {
      var hit = claimOps.get(a);
      if (!hit || hit.sig !== sig) {
        var rel = { type: a.type, source: a.id, target: a.target, when: ["true"], prov: readerProv(a.reason), added_by: OVERLAY };
        if (a.type === "route") rel.p = a.rp; else rel.ratio = a.ratio;
        var two = [["claim", a.id, { title: a.title, kind: a.kind, states: ["false", "true"], sections: [], prov: readerProv(a.reason),
                                     credence: [1 - a.p, a.p], added_by: OVERLAY }, "new"],
                   ["rel", a.id + " -> " + a.target, rel, "new"]];
        hit = { sig: sig, ops: two, texts: two.map(function (e) { return JSON.stringify(e); }) };
        claimOps.set(a, hit);
      }
      ops.push(hit.ops[0], hit.ops[1]);
      texts.push(hit.texts[0], hit.texts[1]);
    });
    C.removed.forEach(function (key) { add(["remove", key]); });
    (S.answers || []).forEach(function (a) {      // the reader's view: evidence bringing P(claim) to their figure
      var states = a.states;
      add(["claim", answerId(a.claim), { title: answerTitle(a.claim), kind: "evidence", states: ["false", "true"], sections: [],
                                         prov: readerProv("the reader's stated view"), added_by: OVERLAY,
                                         table: { given: [a.claim], rows: states.map(function (st, k) { return [[st], [1 - a.lik[k], a.lik[k]]]; }) } }, "new"]);
      add(["obs", answerId(a.claim), null]);
    });
    return { ops: ops, texts: texts };
  }
  function slug(title, taken) {
    var base = title.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 40) || "claim";
    if (!/^[a-z]/.test(base)) base = "c_" + base;
    var id = base, k = 2;
    while (taken(id)) id = base + "_" + (k++);
    return id;
  }
  function bandOf(kind, x) {           // the word whose band holds x (a probability, or a strength >= 1)
    var bands = D.bands[kind], out = null;
    Object.keys(bands).forEach(function (w) {
      var b = bands[w];
      if (!out && w !== "definitional" && b[0] <= x && x <= (b[1] === null ? Infinity : b[1])) out = w;
    });
    return out;
  }
  function bandMiddle(kind, w) {
    var b = D.bands[kind][w];
    if (b[1] === null) return b[0] * 3;
    return kind === "strength" ? Number(Math.sqrt(b[0] * b[1]).toPrecision(2)) : (b[0] + b[1]) / 2;
  }
  function wordSelect(id, kind) {
    var sel = document.getElementById(id);
    sel.appendChild(el("option", { value: "" }, "(a number)"));
    Object.keys(D.bands[kind]).forEach(function (w) {
      if (w === "definitional") return;
      var b = D.bands[kind][w];
      sel.appendChild(el("option", { value: w }, w + " (" + b[0] + (b[1] === null ? "+" : "\u2013" + b[1]) + ")"));
    });
    return sel;
  }
  // The list of claims a new claim can bear on changes with every claim the reader adds or takes back;
  // rebuilding a long <select> costs a frame of style and layout, so the page does it when the reader
  // comes to the list (focus, pointer, key), not on every edit: an edit only marks it stale.
  var targetsStale = false;
  function targetsChanged() {
    var sel = document.getElementById("cr-target");
    if (!sel.options.length || (sel.value && !canTake(sel.value, document.getElementById("cr-type").value))) critiqueTargets();
    else targetsStale = true;
  }
  function critiqueTargets() {
    if (!current) return;
    targetsStale = false;
    var sel = document.getElementById("cr-target"), type = document.getElementById("cr-type").value, was = sel.value;
    var claims = current.map.claims, ids = Object.keys(claims).filter(function (id) { return canTake(id, type); }).sort(function (a, b) { return claims[a].title < claims[b].title ? -1 : 1; });
    var key = JSON.stringify(ids.map(function (id) { return [id, claims[id].title]; }));
    if (sel.getAttribute("data-key") === key) return;          // the same choices: leave the list alone
    sel.setAttribute("data-key", key);
    sel.textContent = "";
    ids.forEach(function (id) { sel.appendChild(el("option", { value: id }, claims[id].title)); });
    if (ids.indexOf(was) >= 0) sel.value = was;
    else if (ids.indexOf(D.target) >= 0) sel.value = D.target;
  }
  // Claims an argument can bear on: binary, composed from a base or a credence (not a table, not a
  // conjunction of requirements alone), not an observation; an undercut bears on an argument.
  function canTake(id, type) {
    var c = current.map.claims[id];
    if (!c || c.states.length !== 2 || id in current.map.observations) return false;
    if (type === "route") return c.base !== undefined || !!c.table;          // a route needs the target's base (its leak)
    return (c.base !== undefined || !!c.credence || !!c.table) && (type !== "undercuts" || c.kind === "argument" || c.kind === "critique");
  }
  // The list of the reader's claims and removals: one item per entry, kept while the entry is the same
  // (an edit adds or drops one item rather than rebuilding the list).
  var critiqueItems = new Map();
  function critiqueList() {
    var ul = document.getElementById("cr-list"), C = S.critique, want = [], next = new Map();
    C.claims.forEach(function (a) {
      var t = current && current.map.claims[a.target], text = "\u201c" + a.title + "\u201d " + a.type + " \u201c" + (t ? t.title : a.target) + "\u201d";
      want.push(critiqueItem(next, "c:" + a.id + ":" + text, text, "take back", "Take back your claim " + a.title, function () {
        S.critique.claims = S.critique.claims.filter(function (x) { return x.id !== a.id; });
      }));
    });
    C.removed.forEach(function (key) {
      want.push(critiqueItem(next, "r:" + key, "removed: " + key, "restore", "Restore the relation " + key, function () {
        S.critique.removed = S.critique.removed.filter(function (k) { return k !== key; });
      }));
    });
    critiqueItems = next;
    reconcile(ul, want, 0);
  }
  function critiqueItem(next, key, text, action, label, undo) {
    var li = critiqueItems.get(key);
    if (!li) {
      li = el("li");
      li.appendChild(el("span", {}, text));
      var b = el("button", { type: "button", "aria-label": label }, action);
      b.addEventListener("click", function () { undo(); critiqueList(); changed(); });
      li.appendChild(b);
    }
    next.set(key, li);
    return li;
  }
  function removeRelation(key) {
    var C = S.critique, i;
    for (i = 0; i < C.claims.length; i++) if (C.claims[i].id + " -> " + C.claims[i].target === key) { C.claims.splice(i, 1); break; }
    if (i === C.claims.length && C.removed.indexOf(key) < 0) C.removed.push(key);
    critiqueList();
    changed();
  }
  // Add the reader's claim; returns an error message or null. (Also the page's API: Explore.addClaim.)
  function addClaim(a) {
    var C = S.critique;
    if (!a.title || !a.title.trim()) return "give your claim a title";
    if (["supports", "opposes", "undercuts", "route"].indexOf(a.type) < 0) return "choose supports, opposes, undercuts or route";
    if (!canTake(a.target, a.type)) return "choose a claim it can bear on (" + (a.type === "route" ? "one with a base or a table" :
      "one with a base, a credence or a table" + (a.type === "undercuts" ? ", an argument or a critique" : "")) + ")";
    if (a.type === "route" && !(a.rp >= 0 && a.rp <= 1)) return "a route's chance of bringing the claim about alone is a number from 0 to 1";
    if (!(a.p >= 0 && a.p <= 1)) return "its probability is a number from 0 to 1";
    if (a.type !== "route" && !(a.strength >= 1 && isFinite(a.strength))) return "its strength is a number of at least 1 (how many times it multiplies or divides the odds)";
    var id = slug(a.title, function (x) { return x in current.map.claims || C.claims.some(function (c) { return c.id === x; }); });
    C.claims.push({ id: id, title: a.title.trim().slice(0, 120), kind: a.kind || (a.type === "supports" ? "argument" : "critique"), type: a.type,
                    target: a.target, p: a.p, ratio: a.type === "route" ? null : a.type === "supports" ? a.strength : 1 / a.strength,
                    rp: a.type === "route" ? a.rp : null, reason: a.reason || "" });
    critiqueList();
    changed();
    return null;
  }
  function setupCritique() {
    var C = function () { return S.critique; };
    ["name", "source", "reason"].forEach(function (f) {
      var inp = document.getElementById("cr-" + f);
      inp.value = C()[f] || "";
      inp.addEventListener("input", function () { C()[f] = inp.value; changed(); });
    });
    var cw = wordSelect("cr-cword", "probability"), sw = wordSelect("cr-sword", "strength");
    var p = document.getElementById("cr-p"), x = document.getElementById("cr-x");
    cw.addEventListener("change", function () { if (cw.value) p.value = String(bandMiddle("probability", cw.value)); });
    sw.addEventListener("change", function () { if (sw.value) x.value = String(bandMiddle("strength", sw.value)); });
    p.addEventListener("input", function () { cw.value = bandOf("probability", Number(p.value)) || ""; });
    x.addEventListener("input", function () { sw.value = bandOf("strength", Number(x.value)) || ""; });
    p.value = "0.35"; cw.value = bandOf("probability", 0.35) || "";       // the middle of the map's "plausible"
    sw.value = "moderate"; x.value = String(bandMiddle("strength", "moderate"));
    function showKind() {
      var route = document.getElementById("cr-type").value === "route";
      document.getElementById("cr-strength").hidden = route;
      document.getElementById("cr-route").hidden = !route;
      critiqueTargets();
    }
    document.getElementById("cr-type").addEventListener("change", showKind);
    ["focus", "pointerdown", "keydown"].forEach(function (ev) {
      document.getElementById("cr-target").addEventListener(ev, function () { if (targetsStale) critiqueTargets(); });
    });
    showKind();
    document.getElementById("cr-add").addEventListener("click", function () {
      var msg = addClaim({ title: document.getElementById("cr-title").value, kind: document.getElementById("cr-kind").value,
                           type: document.getElementById("cr-type").value, target: document.getElementById("cr-target").value,
                           p: Number(p.value), strength: Number(x.value), rp: Number(document.getElementById("cr-rp").value),
                           reason: document.getElementById("cr-why").value });
      var out = document.getElementById("cr-msg");
      out.textContent = msg || "";
      if (!msg) { document.getElementById("cr-title").value = ""; document.getElementById("cr-why").value = ""; }
    });
  }


  // ---------------------------------------------------------------- state your view (guided)
  // The cruxes in the order of argmap sensitivity's value-of-information ranking (computed when the page
  // was made); each answer is evidence about the claim just strong enough to bring its probability, as
  // the page computes it at that moment, to the reader's figure (likelihoods proportional to
  // stated / current), which an overlay's observe: reproduces exactly.
  function answerId(claim) { return "your_view_" + claim; }
  function answerTitle(claim) {
    var c = D.base.claims[claim] || (current && current.map.claims[claim]);
    return ("Your view on: " + (c ? c.title : claim)).slice(0, 120);
  }
  var skipped = {};
  function nextCrux() {
    var done = {};
    (S.answers || []).forEach(function (a) { done[a.claim] = true; });
    for (var i = 0; i < D.cruxes.length; i++) {
      var id = D.cruxes[i].claim;
      if (done[id] || skipped[id] || !current.map.claims[id] || stateLabel(id)) continue;
      return { crux: D.cruxes[i], index: i };
    }
    return null;
  }
  function guideQuestion() {
    var host = document.getElementById("guide-q"), nx = nextCrux();
    host.textContent = "";
    document.getElementById("guide-answer").disabled = !nx;
    document.getElementById("guide-skip").disabled = !nx;
    if (!nx) { host.appendChild(el("p", {}, "No more questions: here is your figure.")); guideEnd(); return; }
    var id = nx.crux.claim, meta = current.map.claims[id], m = marginalOf(current, id);
    host.appendChild(el("p", { "class": "q" }, "Question " + (nx.index + 1) + " of " + D.cruxes.length + ": how likely is it that " +
                        "\u201c" + meta.title + "\u201d?"));
    host.appendChild(el("p", { "class": "note" }, "Learning this would move P(" + D.target + ") by " + nx.crux.expected_shift.toFixed(3) +
                        " on average. The map now gives " + meta.states.map(function (s, k) { return s + " " + fmtP(m[k]); }).join(", ") + "."));
    if (meta.states.length === 2 && meta.states[0] === "false") {
      var word = el("select", { id: "guide-word", "aria-label": "your answer in words" });
      word.appendChild(el("option", { value: "" }, "(a number)"));
      Object.keys(D.bands.probability).forEach(function (w) { if (w !== "definitional") word.appendChild(el("option", { value: w }, w)); });
      var num = el("input", { type: "number", min: "0", max: "1", step: "any", id: "guide-p", "aria-label": "your P(true)" });
      num.value = fmtNum(m[1]);
      word.value = bandOf("probability", m[1]) || "";
      word.addEventListener("change", function () { if (word.value) num.value = String(bandMiddle("probability", word.value)); });
      num.addEventListener("input", function () { word.value = bandOf("probability", Number(num.value)) || ""; });
      var l1 = el("label", {}, "In words "); l1.appendChild(word); host.appendChild(l1);
      var l2 = el("label", {}, "P(true) "); l2.appendChild(num); host.appendChild(l2);
    } else {
      meta.states.forEach(function (st, k) {
        var lab = el("label", {}, "P(" + st + ") ");
        var inp = el("input", { type: "number", min: "0", max: "1", step: "any", "data-state": st, "class": "guide-state" });
        inp.value = fmtNum(m[k]);
        lab.appendChild(inp);
        host.appendChild(lab);
      });
    }
  }
  // Record the reader's figure for the next crux (q: P(true), or one probability per state); returns
  // an error message or null. (Also the page's API: Explore.answer.)
  function answer(q) {
    var nx = nextCrux();
    if (!nx) return "there is no question left";
    var id = nx.crux.claim, meta = current.map.claims[id], m = marginalOf(current, id);
    if (typeof q === "number") q = [1 - q, q];
    if (!Array.isArray(q) || q.length !== meta.states.length || q.some(function (x) { return !(x >= 0 && x <= 1); }))
      return "give a probability from 0 to 1" + (meta.states.length > 2 ? " for each state" : "");
    var tot = q.reduce(function (a, b) { return a + b; }, 0);
    if (Math.abs(tot - 1) > 1e-6) return "the probabilities add up to " + fmtNum(tot) + ", not 1";
    var ratio = q.map(function (x, k) { return x === 0 ? 0 : m[k] > 0 ? x / m[k] : Infinity; });
    if (ratio.some(function (r) { return r === Infinity; })) return "the map makes one of these states impossible here, so no evidence can bring it up";
    var top = Math.max.apply(null, ratio);
    if (!(top > 0)) return "give some state a probability above 0";
    var before = pTrue(marginalOf(current, D.target));
    S.answers = (S.answers || []).concat([{ claim: id, states: meta.states.slice(), q: q.slice(), lik: ratio.map(function (r) { return r / top; }) }]);
    changed();
    var after = pTrue(marginalOf(current, D.target));
    lastMove = { claim: id, before: before, after: after };
    guideRefresh();
    return null;
  }
  var lastMove = null;
  function guideRefresh() {
    var run = document.getElementById("guide-run"), p = current && current.result.marginals ? pTrue(marginalOf(current, D.target)) : null;
    run.textContent = p === null ? "" : "Your P(" + D.target + ") so far: " + p.toFixed(3) +
      (lastMove ? "; your answer on \u201c" + current.map.claims[lastMove.claim].title + "\u201d moved it " +
                  (lastMove.after - lastMove.before < 0 ? "\u2212" : "+") + Math.abs(lastMove.after - lastMove.before).toFixed(3) : "");
    var ol = document.getElementById("guide-answers");
    ol.textContent = "";
    (S.answers || []).forEach(function (a) {
      var meta = current.map.claims[a.claim];
      ol.appendChild(el("li", {}, (meta ? meta.title : a.claim) + ": " + a.states.map(function (s, k) { return s + " " + fmtP(a.q[k]); }).join(", ")));
    });
    guideQuestion();
  }
  // P(target) under each offered overlay alone (the start's scenario and conditions), compiled here.
  function viewpointFigures() {
    return D.overlays.filter(function (o) { return !o.error; }).map(function (o) {
      var m = ArgmapCompile.shallow(D.base), problems = [];
      D.overlays.forEach(function (x) { if (x.name === o.name || o.builds_on.indexOf(x.name) >= 0) ArgmapCompile.applyEdits(m, x.edits, problems); });
      if (problems.length || ArgmapCompile.check(m).length) return null;
      var spec = ArgmapCompile.compile(m), c = ArgmapEval.compile(spec);
      var cond = ArgmapCompile.conditions(m, D.start.scenario, D.start.given, D.start.set);
      var r = c.marginals(Float64Array.from(spec.theta), cond.given, cond.set);
      if (!r.marginals) return null;
      var t = r.marginals[spec.variables.indexOf(D.target)];
      return { label: o.name, p: t[t.length - 1], kind: "viewpoint" };
    }).filter(Boolean);
  }
  function guideEnd() {
    var p = current && current.result.marginals ? pTrue(marginalOf(current, D.target)) : null;
    var rows = [];
    if (p !== null) rows.push({ label: "your figure", p: p, kind: "you" });
    rows.push({ label: "this map computes", p: D.start.probability, kind: "map" });
    (D.base.stated || []).forEach(function (st) {
      if (st.claim !== D.target) return;
      var who = st.holder || st.source || "stated";
      if (st.value !== undefined) rows.push({ label: who + " states", p: st.value, kind: "stated" });
      else if (st.range) rows.push({ label: who + " states", lo: st.range[0], hi: st.range[1], kind: "stated" });
      else if (st.below !== undefined) rows.push({ label: who + " states below", lo: 0, hi: st.below, kind: "stated" });
      else if (st.above !== undefined) rows.push({ label: who + " states above", lo: st.above, hi: 1, kind: "stated" });
    });
    rows = rows.concat(viewpointFigures());
    document.getElementById("guide-chart").textContent = "";
    document.getElementById("guide-chart").appendChild(chart(rows));
    document.getElementById("guide-end").hidden = false;
  }
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // One dot per figure on a common axis: the reader's, the map's, what sources state, each viewpoint's.
  function chart(rows) {
    var top = Math.max.apply(null, rows.map(function (r) { return r.p !== undefined ? r.p : r.hi; }));
    var hi = top <= 0.1 ? 0.1 : top <= 0.2 ? 0.2 : top <= 0.5 ? 0.5 : 1;
    var W = 400, L = 190, R = 24, rowH = 24, H = rows.length * rowH + 34;
    var x = function (v) { return L + (W - L - R) * Math.min(v, hi) / hi; };
    var svg = svgEl("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "Your figure for P(" + D.target + ") beside the map's, the stated and each viewpoint's" });
    var colours = { you: "#d35400", map: "#1f5fa8", stated: "#333333", viewpoint: "#6b6b6b" };
    for (var k = 0; k <= 4; k++) {
      var v = hi * k / 4, gx = x(v);
      svg.appendChild(svgEl("line", { x1: gx, x2: gx, y1: 8, y2: H - 22, stroke: "#dddddd" }));
      svg.appendChild(svgEl("text", { x: gx, y: H - 8, "font-size": 12, "text-anchor": "middle", fill: "#333" }, String(Number(v.toFixed(3)))));
    }
    rows.forEach(function (r, i) {
      var y = 8 + i * rowH + rowH / 2;
      svg.appendChild(svgEl("text", { "class": "row-label", x: L - 6, y: y + 4, "font-size": 12, "text-anchor": "end", fill: "#1a1a1a", "font-weight": r.kind === "you" ? "bold" : "normal" }, r.label));
      if (r.p !== undefined) {
        svg.appendChild(svgEl("circle", { cx: x(r.p), cy: y, r: r.kind === "you" ? 6 : 4.5, fill: colours[r.kind] }));
        svg.appendChild(svgEl("text", { x: Math.min(x(r.p) + 8, W - 30), y: y - 6, "font-size": 11, fill: "#333" }, r.p.toFixed(3)));
      } else {
        svg.appendChild(svgEl("line", { x1: x(r.lo), x2: x(r.hi), y1: y, y2: y, stroke: colours.stated, "stroke-width": 4 }));
      }
    });
    return svg;
  }
  function setupGuide() {
    var g = document.getElementById("guide");
    document.getElementById("guide-intro").textContent = "The map's " + D.cruxes.length + " claims whose answer would move P(" + D.target +
      ") most (value of information, as argmap sensitivity ranks them), one at a time. Give your probability in words or as a number; " +
      "each answer counts as evidence bringing the claim to your figure. Stop whenever you like.";
    document.getElementById("guide-open").addEventListener("click", function () {
      g.hidden = false;
      document.getElementById("guide-end").hidden = true;
      document.getElementById("guide-chart").textContent = "";
      guideRefresh();
      g.scrollIntoView({ block: "start" });
      var f = g.querySelector("#guide-q input, #guide-q select");
      if (f) f.focus();
    });
    document.getElementById("guide-answer").addEventListener("click", function () {
      var binary = document.getElementById("guide-p"), q;
      if (binary) q = Number(binary.value);
      else q = Array.prototype.map.call(document.querySelectorAll("#guide-q .guide-state"), function (i) { return Number(i.value); });
      var msg = answer(q);
      if (msg) document.getElementById("guide-run").textContent = msg;
    });
    document.getElementById("guide-skip").addEventListener("click", function () {
      var nx = nextCrux();
      if (nx) skipped[nx.crux.claim] = true;
      guideQuestion();
    });
    document.getElementById("guide-stop").addEventListener("click", guideEnd);
    document.getElementById("guide-close").addEventListener("click", function () { g.hidden = true; });
    document.getElementById("guide-download").addEventListener("click", download);
    document.getElementById("guide-share").addEventListener("click", function () { document.getElementById("share").click(); });
  }

  // ---------------------------------------------------------------- share link and YAML
  function encodeState() {
    var o = { o: S.on, s: S.scenario || "", g: S.given, x: S.set, p: S.edits, v: S.view };
    var C = S.critique;
    if (C && (C.claims.length || C.removed.length || C.name || C.source || C.reason)) o.c = C;
    if (S.answers && S.answers.length) o.a = S.answers;
    return "#" + encodeURIComponent(JSON.stringify(o));
  }
  function decodeState(hash) {
    if (!hash || hash.length < 2) return null;
    try {
      var o = JSON.parse(decodeURIComponent(hash.slice(1)));
      var st = startSettings();
      if (Array.isArray(o.o)) st.on = o.o.filter(function (n) { return D.overlays.some(function (x) { return x.name === n; }); });
      if (typeof o.s === "string") st.scenario = o.s || null;
      ["g", "x"].forEach(function (k, i) {
        var dst = i ? st.set : st.given;
        Object.keys(o[k] || {}).forEach(function (c) { if (typeof o[k][c] === "string") dst[c] = o[k][c]; });
      });
      Object.keys(o.p || {}).forEach(function (n) { var v = Number(o.p[n]); if (isFinite(v)) st.edits[n] = v; });
      st.view = typeof o.v === "string" ? o.v : "overview";
      if (o.c && typeof o.c === "object") {
        var str = function (v) { return typeof v === "string" ? v.slice(0, 500) : ""; };
        st.critique = { name: str(o.c.name), source: str(o.c.source), reason: str(o.c.reason),
                        removed: (Array.isArray(o.c.removed) ? o.c.removed : []).filter(function (k) { return typeof k === "string"; }),
                        claims: (Array.isArray(o.c.claims) ? o.c.claims : []).filter(function (a) {
                          return a && /^[a-z][a-z0-9_]*$/.test(a.id) && typeof a.title === "string" && typeof a.target === "string" &&
                            ["supports", "opposes", "undercuts", "route"].indexOf(a.type) >= 0 && a.p >= 0 && a.p <= 1 &&
                            (a.type === "route" ? a.rp >= 0 && a.rp <= 1 : a.ratio > 0 && isFinite(a.ratio));
                        }).map(function (a) {
                          return { id: a.id, title: a.title.slice(0, 120), kind: ["argument", "critique", "evidence", "claim"].indexOf(a.kind) >= 0 ? a.kind : "critique",
                                   type: a.type, target: a.target, p: Number(a.p), ratio: a.type === "route" ? null : Number(a.ratio),
                                   rp: a.type === "route" ? Number(a.rp) : null, reason: str(a.reason) };
                        }) };
      }
      if (Array.isArray(o.a)) st.answers = o.a.filter(function (a) {
        return a && typeof a.claim === "string" && Array.isArray(a.states) && Array.isArray(a.lik) && Array.isArray(a.q) &&
          a.lik.length === a.states.length && a.lik.every(function (x) { return typeof x === "number" && x >= 0 && x <= 1; });
      });
      return st;
    } catch (e) { return null; }
  }
  function q(s) { return JSON.stringify(String(s)); }
  function num(v) { return String(v); }
  function withRange(p, v) {
    return p.range && p.range[0] <= v && v <= p.range[1] ? "{value: " + num(v) + ", range: [" + num(p.range[0]) + ", " + num(p.range[1]) + "]}" : num(v);
  }
  function settingsYaml() {
    var c = current.net, on = onInOrder(S.on), lines = [], done = {}, C = S.critique;
    var file = OVERLAY + ".yaml";
    var args = D.overlays.filter(function (o) { return on.indexOf(o.name) >= 0; }).map(function (o) { return "--with " + o.arg; });
    var cmd = ["argmap run"].concat(D.map_arg ? [D.map_arg] : []).concat(D.scale_arg ? ["--scale " + D.scale_arg] : []).concat(args).concat(["--with " + file]);
    if ((S.scenario || null) !== (current.map.default_scenario || null)) cmd.push("--scenario " + (S.scenario || "none"));
    Object.keys(S.given).sort().forEach(function (k) { if (k in c.index) cmd.push("--given " + k + "=" + S.given[k]); });
    Object.keys(S.set).sort().forEach(function (k) { if (k in c.index) cmd.push("--set " + k + "=" + S.set[k]); });
    var author = C.name.trim() || "a reader, with argmap explore", source = C.source.trim() || "argmap explore";
    lines.push("# An overlay written in argmap explore on the map '" + D.map + "'.");
    lines.push("# Save as " + file + "; the page's numbers are reproduced by:");
    lines.push("#   " + cmd.join(" "));
    lines.push("overlay: " + OVERLAY);
    lines.push("title: " + q(C.name.trim() ? "A critique by " + C.name.trim() : "A critique written in argmap explore"));
    lines.push("author: " + q(author));
    lines.push("source: " + q(source));
    lines.push("builds_on: [" + on.map(q).join(", ") + "]");
    var added = {};
    C.claims.forEach(function (a) { added[a.id] = a; });
    var adds = [];
    C.claims.forEach(function (a) {
      var p = currentValue(c, "credence:" + a.id), key = a.id + " -> " + a.target, route = a.type === "route";
      var r = currentValue(c, (route ? "route:" : "ratio:") + key);
      var pb = bandOf("probability", p), sb = route ? bandOf("probability", r) : bandOf("strength", a.type === "supports" ? r : 1 / r);
      // a probability word on another scale (explore --scale) is the reader's qualifier, not a band: run
      // --scale re-reads a band: word of the map's, and the page used the number itself
      function prov(indent, band, probability) {
        var out = [indent + "provenance:", indent + "  holder: " + q(author), indent + "  basis: illustrative", indent + "  source: " + q(source)];
        if (a.reason) out.push(indent + "  rationale: " + q(a.reason));
        if (band && probability && D.words_scale) out.push(indent + "  qualifier: " + q(band + " (" + D.words_scale + ")"));
        else if (band) out.push(indent + "  band: " + q(band));
        return out;
      }
      adds.push("  - id: " + a.id, "    title: " + q(a.title), "    kind: " + a.kind, "    credence: " + num(p));
      adds = adds.concat(prov("    ", pb, true));
      adds.push("    " + a.type + ":", "      - claim: " + a.target, "        " + (route ? "p: " : "ratio: ") + num(r));
      adds = adds.concat(prov("        ", sb, route));
    });
    var changes = [], reason = "    reason: " + q(C.reason.trim() || "set in argmap explore");
    c.params.forEach(function (p) {
      if (p.fixed || added[p.claim] || (p.relation && added[p.source])) return;
      var names = p.group || [p.name];
      var key = (p.relation || p.claim) + "|" + p.field;
      if (done[key]) return;
      if (p.field === "table") names = c.params.filter(function (x) { return x.claim === p.claim && x.field === "table"; }).map(function (x) { return x.name; });
      if (p.field === "scale") names = c.params.filter(function (x) { return x.relation === p.relation && x.field === "scale"; }).map(function (x) { return x.name; });
      // a claim your removal left with nothing bearing on it had a base when the overlay's change: applies
      var converted = p.field === "credence" && current.map.claims[p.claim].converted;
      if (converted && ("base:" + p.claim) in S.edits && !(p.name in S.edits)) names = ["base:" + p.claim];
      if (!names.some(function (n) { return n in S.edits; })) return;
      done[key] = true;
      if (p.field === "credence" && p.kind === "simplex") {
        changes.push("  - claim: " + q(p.claim), "    credence: {" + names.map(function (n) {
          var x = c.params[c.paramIndex[n]];
          return q(x.state) + ": " + num(currentValue(c, n));
        }).join(", ") + "}", reason);
      } else if (p.field === "credence" || p.field === "base") {
        var v = names[0] in S.edits ? S.edits[names[0]] : currentValue(c, p.name);
        changes.push("  - claim: " + q(p.claim), "    " + (converted ? "base" : p.field) + ": " + withRange(p, v), reason);
      } else if (p.field === "table") {
        var tb = current.map.claims[p.claim].table, meta = c.claims[p.claim], binary = meta.states.length === 2 && meta.states[0] === "false";
        changes.push("  - claim: " + q(p.claim), "    table:", "      given: [" + tb.given.map(q).join(", ") + "]", "      rows:");
        tb.rows.forEach(function (row, r) {
          var when = "{" + tb.given.map(function (g, k) { return q(g) + ": " + q(row[0][k]); }).join(", ") + "}";
          if (binary) changes.push("        - {when: " + when + ", p: " + num(currentValue(c, names[r])) + "}");
          else changes.push("        - {when: " + when + ", probs: {" + meta.states.map(function (s, k) {
            return q(s) + ": " + num(currentValue(c, names[r * meta.states.length + k]));
          }).join(", ") + "}}");
        });
        changes.push(reason);
      } else if (p.field === "ratio" || p.field === "leak" || p.field === "p") {
        changes.push("  - relation: " + q(p.relation), "    " + p.field + ": " + withRange(p, currentValue(c, p.name)), reason);
      } else if (p.field === "scale") {        // a relation's modulators are changed together
        var rel = current.map.relations.filter(function (r) { return r.source + " -> " + r.target === p.relation; })[0];
        changes.push("  - relation: " + q(p.relation), "    modulated_by:");
        rel.modulators.forEach(function (m) {
          changes.push("      - claim: " + m[0], "        scale: {" + m[1].map(function (sq) {
            return q(sq[0]) + ": " + num(currentValue(c, "scale:" + p.relation + "@" + m[0] + "=" + sq[0]));
          }).join(", ") + "}");
        });
        changes.push(reason);
      }
    });
    if (adds.length) lines = lines.concat(["add:"], adds);
    lines = lines.concat(changes.length ? ["change:"].concat(changes) : ["change: []"]);
    if (C.removed.length) {
      lines.push("remove:");
      C.removed.forEach(function (key) { lines.push("  - relation: " + q(key), reason); });
    }
    if (S.answers && S.answers.length) {
      lines.push("observe:");
      S.answers.forEach(function (a) {
        lines.push("  - id: " + answerId(a.claim), "    title: " + q(answerTitle(a.claim)),
                   "    likelihood:", "      " + a.claim + ": {" + a.states.map(function (st, k) { return q(st) + ": " + num(a.lik[k]); }).join(", ") + "}",
                   "    reason: " + q("my view: " + a.states.map(function (st, k) { return "P(" + st + ") = " + fmtNum(a.q[k]); }).join(", ") +
                                      " (stated in argmap explore's guided mode)"));
      });
    }
    return lines.join("\n") + "\n";
  }
  function download() {
    var blob = new Blob([settingsYaml()], { type: "application/x-yaml" });
    var a = el("a", { download: OVERLAY + ".yaml" });
    a.href = URL.createObjectURL(blob);
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  // ---------------------------------------------------------------- wiring
  var hashTimer = null;
  function changed() {
    update();
    clearTimeout(hashTimer);          // the share fragment follows once the reader pauses
    hashTimer = setTimeout(function () {
      var hash = encodeState();
      if (location.hash !== hash) history.replaceState(null, "", hash);
    }, 250);
  }
  function apply(st) {
    S = st;
    S.critique = S.critique || emptyCritique();
    current = null;
    Object.keys(controls).forEach(function (n) { controls[n].v = undefined; });   // every control shows S afresh
    update();
    ["name", "source", "reason"].forEach(function (f) { document.getElementById("cr-" + f).value = S.critique[f] || ""; });
    critiqueList();
    if (!current) return;
    refreshControls(current.net, null);
    showView(S.view || "overview");
  }
  async function loadData() {
    var node = document.getElementById("argmap-data");
    var raw = node.textContent.trim();
    if (node.getAttribute("data-encoding") !== "gzip+base64") return JSON.parse(raw);
    var bin = Uint8Array.from(atob(raw), function (ch) { return ch.charCodeAt(0); });
    var stream = new Blob([bin]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }
  async function start() {
    try {
      D = await loadData();
    } catch (e) {
      document.getElementById("title").textContent = "This browser cannot open the page's data (it needs DecompressionStream).";
      document.getElementById("title").className = "error";
      return;
    }
    document.getElementById("title").textContent = D.title;
    document.title = "Explore: " + D.title;
    S = startSettings();
    startKey = settingsKey();
    current = null;
    var first = evaluate();
    base = {};
    first.net.net.variables.forEach(function (id, i) { base[id] = first.result.marginals[i]; });
    buildOverlays();
    setupCritique();
    setupGuide();
    buildViews();
    legend();
    setupPanZoom();
    document.getElementById("scenario").addEventListener("change", function (ev) { S.scenario = ev.target.value || null; changed(); });
    document.getElementById("reset").addEventListener("click", function () { apply(startSettings()); history.replaceState(null, "", location.pathname + location.search); });
    document.getElementById("share").addEventListener("click", function () {
      var box = document.getElementById("share-box"), inp = document.getElementById("share-url");
      inp.value = location.href.split("#")[0] + encodeState();
      box.hidden = false;
      inp.focus();
      inp.select();
    });
    document.getElementById("download").addEventListener("click", download);
    document.getElementById("dlg-close").addEventListener("click", closeDialog);
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") closeDialog(); });
    window.addEventListener("hashchange", function () { var st = decodeState(location.hash); if (st && location.hash !== encodeState()) apply(st); });
    apply(decodeState(location.hash) || startSettings());
    Explore.ready = true;
    document.body.setAttribute("data-ready", "true");
  }

  return {
    start: start, ready: false, lastUpdateMs: null, lastUpdateParts: null,
    state: function () { return S; },
    current: function () { return current; },
    apply: function (st) { apply(Object.assign(startSettings(), st)); },
    settingsYaml: function () { return settingsYaml(); },
    addClaim: function (a) { return addClaim(a); },
    answer: function (q) { return answer(q); },
    chain: function (id) { return chainTo(id); },
    nextCrux: function () { var n = nextCrux(); return n && n.crux.claim; },
    finish: function () { guideEnd(); },
    problems: function () { return built ? built.problems.slice() : []; },
    targets: function (type) { return Object.keys(current.map.claims).filter(function (id) { return canTake(id, type); }); },
    removeRelation: function (key) { removeRelation(key); },
    encodeState: function () { return encodeState(); },
    marginals: function () {
      var out = {};
      if (!current.result.marginals) return null;
      current.net.net.variables.forEach(function (id, i) { out[id] = Array.from(current.result.marginals[i]); });
      return out;
    },
    update: update,
  };
})();

if (document.getElementById("argmap-data")) Explore.start();
