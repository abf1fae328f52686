// The explorer page: numbers, overlays, scenarios, conditions, diagram, share link and YAML download.
// All text from the map is inserted with textContent, never as HTML.
"use strict";

var Explore = (function () {
  var VIRIDIS = ["#440154", "#48186a", "#472d7b", "#424086", "#3b528b", "#33638d", "#2c728e", "#26828e",
                 "#21918c", "#1fa088", "#28ae80", "#3fbc73", "#5ec962", "#84d44b", "#addc30", "#d8e219", "#fde725"];
  var D = null;                 // the page data
  var S = null;                 // the reader's settings
  var base = null;              // marginals at the start settings: {claim: Float64Array}
  var current = null;           // {combo, result, cond}
  var compiled = {};            // combo key -> compiled network
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
  function shared(i) { return D.shared[i]; }
  function comboKey(names) { return D.overlays.filter(function (o) { return names.indexOf(o.name) >= 0; }).map(function (o) { return o.name; }).join("+"); }
  function findCombo(names) {
    var key = comboKey(names);
    for (var i = 0; i < D.combos.length; i++) if (D.combos[i].overlays.join("+") === key) return D.combos[i];
    return null;
  }
  function net(combo) {
    var key = combo.overlays.join("+");
    if (!compiled[key]) {
      var c = ArgmapEval.compile(unpack(combo.net));
      c.params = combo.params.map(shared);
      c.paramIndex = {};
      combo.net.params.forEach(function (n, i) { c.paramIndex[n] = i; });
      c.claims = {};
      Object.keys(combo.claims).forEach(function (k) { c.claims[k] = shared(combo.claims[k]); });
      c.edges = {};
      combo.edges.forEach(function (e) { c.edges[e] = true; });
      compiled[key] = c;
    }
    return compiled[key];
  }
  // the shipped network with its cell formulas restored (they are stored once, over parameter-name ids)
  var pnameIndex = null;
  function unpack(packed) {
    if (!pnameIndex) { pnameIndex = {}; D.pnames.forEach(function (n, i) { pnameIndex[n] = i; }); }
    var local = {};
    packed.params.forEach(function (n, i) { local[pnameIndex[n]] = i; });
    function l(g) { return g < 0 ? -1 : local[g]; }
    var cells = packed.cells.map(function (id) {
      var c = shared(id);
      return {
        copy: c.copy.map(function (e) { return [e[0], l(e[1])]; }),
        direct: c.direct.map(function (e) { return [e[0], e[1], l(e[2])]; }),
        composed: c.composed.map(function (e) {
          return [e[0], e[1], l(e[2]), e[3].map(function (t) { return t.map(l); }), e[4].map(l),
                  (e[5] || []).map(function (r) { return r.map(l); })];
        }),
      };
    });
    return Object.assign({}, packed, { cells: cells });
  }
  function claimMeta(id) { return current && current.net.claims[id]; }

  // ---------------------------------------------------------------- settings
  function startSettings() {
    return { on: D.start.overlays.slice(), scenario: D.start.scenario, given: Object.assign({}, D.start.given),
             set: Object.assign({}, D.start.set), edits: {}, view: "overview" };
  }
  function theta(c) {
    var t = Float64Array.from(c.net.theta);
    Object.keys(S.edits).forEach(function (n) { if (n in c.paramIndex) t[c.paramIndex[n]] = S.edits[n]; });
    return t;
  }
  // Model.conditions: the scenario's conditions, then explicit ones (which win)
  function conditions(combo, c) {
    var g = Object.assign({}, combo.observed || {}), s = {}, sc = S.scenario && combo.scenarios[S.scenario];
    if (sc) { Object.assign(g, sc.given); Object.assign(s, sc.set); }
    Object.keys(S.given).forEach(function (k) { if (k in c.index) { delete s[k]; g[k] = S.given[k]; } });
    Object.keys(S.set).forEach(function (k) { if (k in c.index) { delete g[k]; s[k] = S.set[k]; } });
    return { given: g, set: s };
  }
  function evaluate() {
    var combo = findCombo(S.on);
    if (!combo || combo.error) return { error: combo ? combo.error : "this combination of overlays is not available" };
    var c = net(combo), cond = conditions(combo, c);
    var r = c.marginals(theta(c), cond.given, cond.set);
    return { combo: combo, net: c, cond: cond, result: r };
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

  function update() {
    var t0 = performance.now();
    var cur = evaluate();
    if (cur.error) {
      document.getElementById("headline-value").textContent = "—";
      document.getElementById("headline-note").textContent = cur.error;
      return;
    }
    var comboChanged = !current || current.combo !== cur.combo;
    current = cur;
    if (comboChanged) { buildNumbers(); buildScenario(); }
    paintHeadline();
    paintDiagram();
    paintMoved();
    paintConditions();
    syncOverlayBoxes();
    Explore.lastUpdateMs = performance.now() - t0;
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
      document.getElementById("headline-base").textContent = "argmap run gives " + D.start.probability.toFixed(3);
      var d = p - D.start.probability;
      var ch = document.getElementById("headline-change");
      ch.textContent = Math.abs(d) < 5e-7 ? "no change" : "change " + fmtDelta(d);
      ch.className = d > 0.0005 ? "delta-up" : d < -0.0005 ? "delta-down" : "";
    }
    document.getElementById("headline-note").textContent = note;
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

  function paintDiagram() {
    var box = document.getElementById("diagram"), svg = box.querySelector("svg");
    if (!svg) return;
    var info = D.diagrams[S.view] || D.diagrams.overview;
    Array.prototype.forEach.call(svg.querySelectorAll("g.node"), function (g) {
      var id = g.getAttribute("data-id");
      var texts = g.querySelectorAll("text");
      if (id in info.parts) {
        var members = info.parts[id].filter(function (c) { return c in current.net.index; });
        toggle(g, "absent", members.length === 0);
        var line = g.querySelector("text[data-role=count]");
        if (line) setText(line, members.length + " claims");
        return;
      }
      var present = id in current.net.index;
      toggle(g, "absent", !present);
      toggle(g, "fixed", !!stateLabel(id));
      if (!present) return;
      var m = marginalOf(current, id);
      var meta = current.net.claims[id];
      var p = meta.states.length === 2 && m ? m[1] : null;
      var f = fill(p), tc = textColour(f), shown = valueLines(id, m)[0];
      nodeParts(g).forEach(function (s) { setAttr(s, "fill", f); });
      Array.prototype.forEach.call(texts, function (t) { setAttr(t, "fill", tc); });
      var v = g.querySelector("text[data-role=value]");
      if (v) setText(v, shown);
      setAttr(g, "aria-label", meta.title + ": " + shown + ". Press Enter to observe or set.");
    });
    Array.prototype.forEach.call(svg.querySelectorAll("g.edge"), function (g) {
      var ends = (g.getAttribute("data-id") || "").split("->");
      var partEdge = ends.some(function (e) { return e in info.parts; });
      toggle(g, "absent", !partEdge && !current.net.edges[ends[0] + "->" + ends[1]]);
    });
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
    ol.textContent = "";
    if (!rows.length) { ol.appendChild(el("li", { "class": "note" }, "Nothing has moved yet: change a number, an overlay, the scenario or a condition.")); return; }
    rows.slice(0, 10).forEach(function (r) {
      var meta = current.net.claims[r.id], li = el("li");
      li.appendChild(el("span", {}, meta.title + ": "));
      if (r.m.length === 2) {
        li.appendChild(el("span", {}, fmtP(r.b[1]) + " \u2192 " + fmtP(r.m[1]) + " "));
        li.appendChild(el("span", { "class": r.m[1] > r.b[1] ? "delta-up" : "delta-down" }, "(" + fmtDelta(r.m[1] - r.b[1]) + ")"));
      } else {
        li.appendChild(el("span", {}, meta.states.map(function (s, k) { return s + " " + fmtP(r.m[k]); }).join(", ")));
      }
      ol.appendChild(li);
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
  function toSlider(p, v) {
    if (p.field !== "ratio") return Math.round(v * 1000);
    var b = ratioBounds(p, v);
    return b[1] === b[0] ? 0 : Math.round(1000 * (Math.log(v) - Math.log(b[0])) / (Math.log(b[1]) - Math.log(b[0])));
  }
  function fromSlider(p, i, v) {
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

  var controls = {};            // param name -> {range, number, box, p}
  var openParts = {};           // parts whose numbers the reader has opened (kept across rebuilds)
  function buildNumbers() {
    var host = document.getElementById("numbers"), c = current.net;
    host.textContent = "";
    controls = {};
    var byPart = {};
    c.params.forEach(function (p) {
      if (p.fixed) return;
      var part = D.part_of[p.claim] || "";
      (byPart[part] = byPart[part] || []).push(p);
    });
    var parts = D.parts.map(function (x) { return x[0]; }).concat([""]);
    parts.forEach(function (part) {
      var list = byPart[part];
      if (!list) return;
      var title = (D.parts.filter(function (x) { return x[0] === part; })[0] || [part, "Other claims"])[1];
      var det = el("details", { "class": "part", "data-part": part });
      if (openParts[part]) det.open = true;
      det.addEventListener("toggle", function () { openParts[part] = det.open; });
      det.appendChild(el("summary", {}, title + " (" + list.length + ")"));
      list.forEach(function (p) { det.appendChild(paramControl(c, p)); });
      host.appendChild(det);
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
    if (p.field !== "ratio") { num.min = "0"; num.max = "1"; }
    range.value = String(toSlider(p, v));
    num.value = fmtNum(v);
    range.addEventListener("input", function () {
      setParam(c, p, fromSlider(p, Number(range.value), currentValue(c, p.name)));
      refreshControls(c, p);
      changed();
    });
    num.addEventListener("change", function () {
      var x = Number(num.value);
      if (num.value.trim() === "" || !valid(p, x)) {
        num.classList.add("invalid");
        num.setAttribute("aria-invalid", "true");
        return;
      }
      num.classList.remove("invalid");
      num.removeAttribute("aria-invalid");
      setParam(c, p, x);
      refreshControls(c, p);
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
    controls[p.name] = { range: range, number: num, box: box, p: p };
    box.classList.toggle("changed", p.name in S.edits);
    return box;
  }
  function refreshControls(c, p) {
    var names = p && p.group ? p.group : p ? [p.name] : Object.keys(controls);
    names.forEach(function (n) {
      var ctl = controls[n];
      if (!ctl) return;
      var v = currentValue(c, n);
      if (document.activeElement !== ctl.range) ctl.range.value = String(toSlider(ctl.p, v));
      if (document.activeElement !== ctl.number || !p) ctl.number.value = fmtNum(v);
      ctl.box.classList.toggle("changed", n in S.edits);
    });
  }

  // ---------------------------------------------------------------- overlays, scenarios, views
  function buildOverlays() {
    var fs = document.getElementById("overlays");
    if (!D.overlays.length) { fs.hidden = true; return; }
    D.overlays.forEach(function (o, i) {
      var lab = el("label", { title: (o.description || o.title) + (o.author ? " (" + o.author + ")" : "") });
      var box = el("input", { type: "checkbox", id: "ov" + i, "data-name": o.name });
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
    var sel = document.getElementById("scenario"), sc = current.combo.scenarios;
    sel.textContent = "";
    Object.keys(sc).forEach(function (name) {
      var o = el("option", { value: name }, name + (name === current.combo.default_scenario ? " (default)" : ""));
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
    var acts = document.getElementById("dlg-actions");
    acts.textContent = "";
    var observation = (current.combo.observations || []).indexOf(id) >= 0;   // conditioned on, never set
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
      if (ev.target.closest && ev.target.closest("g.node")) return;
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
    lg.appendChild(el("span", {}, "grey: several states or a collapsed part \u00b7 dashed thick outline: observed or set \u00b7 green: supports, red dashed: opposes, dotted: undercuts, grey: requires"));
  }

  // ---------------------------------------------------------------- share link and YAML
  function encodeState() {
    var o = { o: S.on, s: S.scenario || "", g: S.given, x: S.set, p: S.edits, v: S.view };
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
      return st;
    } catch (e) { return null; }
  }
  function q(s) { return JSON.stringify(String(s)); }
  function num(v) { return String(v); }
  function withRange(p, v) {
    return p.range && p.range[0] <= v && v <= p.range[1] ? "{value: " + num(v) + ", range: [" + num(p.range[0]) + ", " + num(p.range[1]) + "]}" : num(v);
  }
  function settingsYaml() {
    var c = current.net, combo = current.combo, lines = [], done = {};
    var args = D.overlays.filter(function (o) { return combo.overlays.indexOf(o.name) >= 0; }).map(function (o) { return "--with " + o.arg; });
    var cmd = ["argmap run"].concat(D.map_arg ? [D.map_arg] : []).concat(args).concat(["--with explore-settings.yaml"]);
    if ((S.scenario || null) !== (combo.default_scenario || null)) cmd.push("--scenario " + (S.scenario || "none"));
    Object.keys(S.given).sort().forEach(function (k) { if (k in c.index) cmd.push("--given " + k + "=" + S.given[k]); });
    Object.keys(S.set).sort().forEach(function (k) { if (k in c.index) cmd.push("--set " + k + "=" + S.set[k]); });
    lines.push("# Settings made in argmap explore for the map '" + D.map + "'.");
    lines.push("# Save as explore-settings.yaml; the page's numbers are reproduced by:");
    lines.push("#   " + cmd.join(" "));
    lines.push("overlay: explore-settings");
    lines.push("title: " + q("Settings from argmap explore"));
    lines.push("author: " + q("a reader, with argmap explore"));
    lines.push("source: " + q("argmap explore"));
    lines.push("builds_on: [" + combo.overlays.map(q).join(", ") + "]");
    var changes = [];
    c.params.forEach(function (p) {
      if (p.fixed) return;
      var names = p.group || [p.name];
      var key = (p.relation || p.claim) + "|" + p.field;
      if (done[key]) return;
      if (p.field === "table") names = c.params.filter(function (x) { return x.claim === p.claim && x.field === "table"; }).map(function (x) { return x.name; });
      if (!names.some(function (n) { return n in S.edits; })) return;
      done[key] = true;
      var reason = "    reason: " + q("set in argmap explore");
      if (p.field === "credence" && p.kind === "simplex") {
        changes.push("  - claim: " + q(p.claim), "    credence: {" + names.map(function (n) {
          var x = c.params[c.paramIndex[n]];
          return q(x.state) + ": " + num(currentValue(c, n));
        }).join(", ") + "}", reason);
      } else if (p.field === "credence" || p.field === "base") {
        changes.push("  - claim: " + q(p.claim), "    " + p.field + ": " + withRange(p, currentValue(c, p.name)), reason);
      } else if (p.field === "table") {
        var tb = combo.tables[p.claim], meta = c.claims[p.claim], binary = meta.states.length === 2 && meta.states[0] === "false";
        changes.push("  - claim: " + q(p.claim), "    table:", "      given: [" + tb.given.map(q).join(", ") + "]", "      rows:");
        tb.rows.forEach(function (combo_, r) {
          var when = "{" + tb.given.map(function (g, k) { return q(g) + ": " + q(combo_[k]); }).join(", ") + "}";
          if (binary) changes.push("        - {when: " + when + ", p: " + num(currentValue(c, names[r])) + "}");
          else changes.push("        - {when: " + when + ", probs: {" + meta.states.map(function (s, k) {
            return q(s) + ": " + num(currentValue(c, names[r * meta.states.length + k]));
          }).join(", ") + "}}");
        });
        changes.push(reason);
      } else if (p.field === "ratio" || p.field === "leak" || p.field === "p") {
        changes.push("  - relation: " + q(p.relation), "    " + p.field + ": " + withRange(p, currentValue(c, p.name)), reason);
      }
    });
    lines.push(changes.length ? "change:" : "change: []");
    return lines.concat(changes).join("\n") + "\n";
  }
  function download() {
    var blob = new Blob([settingsYaml()], { type: "application/x-yaml" });
    var a = el("a", { download: "explore-settings.yaml" });
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
    current = null;
    update();
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
    current = null;
    var first = evaluate();
    base = {};
    first.net.net.variables.forEach(function (id, i) { base[id] = first.result.marginals[i]; });
    buildOverlays();
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
    start: start, ready: false, lastUpdateMs: null,
    state: function () { return S; },
    current: function () { return current; },
    apply: function (st) { apply(Object.assign(startSettings(), st)); },
    settingsYaml: function () { return settingsYaml(); },
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
