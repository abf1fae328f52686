// Compile an argmap map in the browser: the page holds the resolved map (argmap.maps.mapjson) and
// each overlay as edits to it, applies them here, and compiles the result to the same network as
// argmap.inference.network.compile_map (variables in its topological order, θ in its parameter order,
// the cell formulas of argmap.inference.program) with the engine's min-fill plan for all marginals
// (argmap.inference.elimination, argmap.inference.engine._make_plan): the object
// argmap.inference.netjson.network_json writes, which ArgmapEval.compile evaluates.
"use strict";

var ArgmapCompile = (function () {
  var MAX_OPERANDS = 24;                     // engine._MAX_OPERANDS: larger groups are pre-multiplied

  function qv(q) { return q === null || q === undefined ? null : typeof q === "number" ? q : q.v; }
  function qrange(q) { return q && typeof q === "object" && q.range ? q.range.slice() : null; }
  function qbeta(q) { return q && typeof q === "object" && q.beta ? q.beta.slice() : null; }
  function relKey(r) { return r.source + " -> " + r.target; }
  function has(x) { return x !== null && x !== undefined; }
  function decorative(r) { return r.type !== "requires" && !has(r.ratio) && !has(r.p); }
  // drawn but not computed with (argmap.maps.checks.drawn_only): no strength, or from a parent the
  // target's explicit table lists; every other relation into a table claim composes with its rows
  function drawnOnly(map, r) {
    if (decorative(r)) return true;
    var t = map.claims[r.target];
    return !!(t && t.table && t.table.given.indexOf(r.source) >= 0);
  }
  function copy(x) { return JSON.parse(JSON.stringify(x)); }

  // ------------------------------------------------------------------ edits (argmap.maps.mapjson)
  function setFields(obj, fields) {
    Object.keys(fields).forEach(function (k) {
      if (fields[k] === null) delete obj[k]; else obj[k] = copy(fields[k]);
    });
  }
  // A copy of a map that shares its claims and relations; applyEdits copies what it changes.
  function shallow(map) {
    return Object.assign({}, map, { claims: Object.assign({}, map.claims), relations: map.relations.slice(),
                                    observations: Object.assign({}, map.observations), scenarios: Object.assign({}, map.scenarios),
                                    parts: Object.assign({}, map.parts), stated: map.stated.slice() });
  }
  // Apply edits to ``map`` (a shallow() copy: claims and relations are copied before they change);
  // problems (an edit that cannot apply) are pushed to ``problems``.
  function applyEdits(map, edits, problems, who) {
    var m = map;
    edits.forEach(function (e) {
      var op = e[0], i;
      if (op === "claim") {
        if (e[3] === "new" && m.claims[e[1]]) { problems.push((who || "an edit") + " adds claim '" + e[1] + "', which already exists"); return; }
        if (!m.claims[e[1]] && e[3] !== "new") { problems.push((who || "an edit") + " changes claim '" + e[1] + "', which is not in the map"); return; }
        m.claims[e[1]] = Object.assign({}, m.claims[e[1]]);
        setFields(m.claims[e[1]], e[2]);
      } else if (op === "drop") {
        delete m.claims[e[1]];
        delete m.observations[e[1]];
      } else if (op === "rel") {
        for (i = 0; i < m.relations.length; i++) if (relKey(m.relations[i]) === e[1]) break;
        if (e[3] === "new" && i < m.relations.length) { problems.push((who || "an edit") + " adds relation " + e[1] + ", which already exists"); return; }
        if (i === m.relations.length) {
          if (e[3] !== "new") { problems.push((who || "an edit") + " changes relation " + e[1] + ", which is not in the map"); return; }
          m.relations.push({});
        }
        m.relations[i] = Object.assign({}, m.relations[i]);
        setFields(m.relations[i], e[2]);
      } else if (op === "unrel") {
        m.relations = m.relations.filter(function (r) { return relKey(r) !== e[1]; });
      } else if (op === "remove") {           // an overlay's remove: a relation (overlay.py _remove)
        var gone = m.relations.filter(function (r) { return relKey(r) === e[1]; });
        if (!gone.length) { problems.push((who || "an edit") + " removes relation " + e[1] + ", which is not in the map"); return; }
        m.relations = m.relations.filter(function (r) { return relKey(r) !== e[1]; });
        var t = gone[0].target, c = m.claims[t];
        // a claim left with nothing bearing on it keeps its base as its credence
        if (c && c.base !== undefined && !c.table && !m.relations.some(function (r) { return r.target === t; })) {
          c = m.claims[t] = Object.assign({}, c);
          c.credence = [typeof c.base === "number" ? 1 - c.base : { v: 1 - c.base.v }, c.base];
          delete c.base;
          c.converted = true;       // (the page writes a later change of it as the base it was)
        }
      } else if (op === "obs") {
        m.observations[e[1]] = e[2];
      } else if (op === "scenario") {
        if (e[2] === null) delete m.scenarios[e[1]]; else m.scenarios[e[1]] = copy(e[2]);
      } else if (op === "part") {
        m.parts[e[1]] = e[2];
      } else if (op === "stated") {
        m.stated.push(copy(e[1]));
      }
    });
    return m;
  }

  // ------------------------------------------------------------------ structure (argmap.maps.checks)
  function allParents(map) {
    var found = {};
    Object.keys(map.claims).forEach(function (c) { var t = map.claims[c].table; found[c] = t ? t.given.slice() : []; });
    map.relations.forEach(function (r) {
      if (!(r.target in found) || drawnOnly(map, r)) return;
      var out = found[r.target];
      [r.source].concat((r.modulators || []).map(function (m) { return m[0]; })).forEach(function (p) {
        if (out.indexOf(p) < 0) out.push(p);
      });
    });
    return found;
  }
  // parents first, the smallest id first among those ready; null on a cycle
  function topologicalOrder(parents) {
    var children = {}, waiting = {}, ready = [], order = [];
    Object.keys(parents).forEach(function (v) { children[v] = []; });
    Object.keys(parents).forEach(function (v) {
      var inside = parents[v].filter(function (p) { return p in parents; });
      waiting[v] = inside.length;
      inside.forEach(function (p) { children[p].push(v); });
    });
    Object.keys(parents).forEach(function (v) { if (!waiting[v]) ready.push(v); });
    while (ready.length) {
      var best = 0;
      for (var i = 1; i < ready.length; i++) if (ready[i] < ready[best]) best = i;
      var v = ready.splice(best, 1)[0];
      order.push(v);
      children[v].forEach(function (c) { if (--waiting[c] === 0) ready.push(c); });
    }
    return order.length === Object.keys(parents).length ? order : null;
  }

  // Problems that would stop the loader: unknown claims or states, a cycle, a claim with no numbers.
  function check(map) {
    var problems = [], claims = map.claims;
    if (!(map.target in claims)) problems.push("the target '" + map.target + "' is not in the map");
    map.relations.forEach(function (r) {
      if (!(r.source in claims) || !(r.target in claims)) { problems.push("relation " + relKey(r) + " names a claim that is not in the map"); return; }
      (r.modulators || []).forEach(function (m) { if (!(m[0] in claims)) problems.push("relation " + relKey(r) + " is modulated by '" + m[0] + "', which is not in the map"); });
    });
    Object.keys(claims).forEach(function (c) {
      var t = claims[c].table;
      if (t) t.given.forEach(function (g) { if (!(g in claims)) problems.push("the table of '" + c + "' names '" + g + "', which is not in the map"); });
    });
    if (problems.length) return problems;
    var parents = allParents(map);
    if (topologicalOrder(parents) === null) problems.push("these claims and relations make a cycle");
    Object.keys(claims).forEach(function (c) {
      var cl = claims[c];
      if (!cl.table && !parents[c].length && !cl.credence) problems.push("'" + c + "' has nothing bearing on it and no credence");
      if (!cl.table && parents[c].length && cl.states.length !== 2) problems.push("'" + c + "' has several states, so it needs a table");
      if (!cl.table && parents[c].length && cl.base === undefined && !cl.credence &&
          map.relations.some(function (r) { return r.target === c && r.type !== "requires" && !drawnOnly(map, r); })) problems.push("'" + c + "' needs a base");
    });
    return problems;
  }

  // ------------------------------------------------------------------ the network (argmap.inference.network)
  function binary(states) { return states.length === 2 && states[0] === "false" && states[1] === "true"; }

  function compile(map) {
    var every = allParents(map), order = topologicalOrder(every);
    if (order === null) throw new Error("the map has a cycle");
    var index = {};
    order.forEach(function (v, i) { index[v] = i; });
    var states = order.map(function (v) { return map.claims[v].states; });
    var params = [], theta = [], cells = [];
    var relsByTarget = {};
    map.relations.forEach(function (r) {
      if (r.target in map.claims && !drawnOnly(map, r)) (relsByTarget[r.target] = relsByTarget[r.target] || []).push(r);
    });
    function add(meta, q) {
      meta.range = qrange(q);
      if (qbeta(q)) meta.beta = qbeta(q);
      params.push(meta);
      theta.push(qv(q));
      return params.length - 1;
    }
    order.forEach(function (cid) {
      var claim = map.claims[cid], parents = every[cid], cell = { copy: [], direct: [], composed: [] };
      var prov = claim.prov || {};
      if (claim.table && !relsByTarget[cid]) {
        var t = claim.table, start = params.length;
        t.rows.forEach(function (row, r) {
          var label = t.given.map(function (g, k) { return g + "=" + row[0][k]; }).join(",");
          if (binary(claim.states)) {
            var k = add({ name: "table:" + cid + "[" + label + "]", claim: cid, field: "table", kind: "probability", row: label, prov: prov }, row[1][1]);
            cell.direct.push([2 * r + 1, 2 * r, k]);
          } else {
            var g0 = params.length, group = claim.states.map(function (s, j) { return "table:" + cid + "[" + label + "]=" + s; });
            claim.states.forEach(function (s, j) {
              add({ name: group[j], claim: cid, field: "table", kind: "simplex", state: s, group: group, row: label, prov: prov }, row[1][j]);
            });
            for (var j = 0; j < claim.states.length; j++) cell.copy.push([g0 - start + j, g0 + j]);
          }
        });
      } else if (!parents.length) {
        if (binary(claim.states)) {
          cell.direct.push([1, 0, add({ name: "credence:" + cid, claim: cid, field: "credence", kind: "probability", prov: prov }, claim.credence[1])]);
        } else {
          var grp = claim.states.map(function (s) { return "credence:" + cid + "=" + s; });
          claim.states.forEach(function (s, j) {
            cell.copy.push([j, add({ name: grp[j], claim: cid, field: "credence", kind: "simplex", state: s, group: grp, prov: prov }, claim.credence[j])]);
          });
        }
      } else {
        cell.composed = composed(cid, claim, parents, relsByTarget[cid] || [], map, add, prov);
      }
      cells.push(cell);
    });
    var parentIdx = order.map(function (v) { return every[v].map(function (p) { return index[p]; }); });
    var cards = states.map(function (s) { return s.length; });
    var pl = plan(order, parentIdx, cards);
    return { format: 2, variables: order, states: states, parents: parentIdx, params: params.map(function (p) { return p.name; }),
             theta: theta, cells: cells, factors: pl.factors, steps: pl.steps, final: pl.final, meta: params };
  }

  function composed(cid, claim, parents, rels, map, add, prov) {
    var axis = {}, shape = parents.map(function (p, i) { axis[p] = i; return map.claims[p].states.length; });
    function flags(r) { return map.claims[r.source].states.map(function (s) { return r.when.indexOf(s) >= 0; }); }
    var base = -1, table = null;
    if (claim.table) {                // the table's rows are the cells' bases (its parents come first)
      table = { axes: claim.table.given.map(function (g) { return axis[g]; }), params: [] };
      claim.table.rows.forEach(function (row) {
        var label = claim.table.given.map(function (g, k) { return g + "=" + row[0][k]; }).join(",");
        table.params.push(add({ name: "table:" + cid + "[" + label + "]", claim: cid, field: "table", kind: "probability", row: label, prov: prov }, row[1][1]));
      });
    } else if (has(claim.base)) base = add({ name: "base:" + cid, claim: cid, field: "base", kind: "probability", prov: prov }, claim.base);
    else if (claim.credence) base = add({ name: "credence:" + cid, claim: cid, field: "credence", kind: "probability", prov: prov }, claim.credence[1]);
    var terms = [], leaks = [], routes = [];
    rels.forEach(function (r) {
      var key = relKey(r), rmeta = { claim: cid, relation: key, type: r.type, source: r.source, prov: r.prov || {} };
      function scales() {
        return (r.modulators || []).map(function (m) {
          return { axis: axis[m[0]], scales: m[1].map(function (sq) {
            return add(Object.assign({ name: "scale:" + key + "@" + m[0] + "=" + sq[0], field: "scale", kind: "scale", state: sq[0], modulator: m[0] }, rmeta), sq[1]);
          }) };
        });
      }
      if (r.type === "requires") {
        var li = -1;
        if (has(r.leak)) li = add(Object.assign({ name: "leak:" + key, field: "leak", kind: "probability" }, rmeta), r.leak);
        leaks.push({ param: li, axis: axis[r.source], unmet: flags(r).map(function (f) { return !f; }) });
      } else if (r.type === "route") {
        var pi = add(Object.assign({ name: "route:" + key, field: "p", kind: "probability" }, rmeta), r.p);
        routes.push({ ratio: pi, axis: axis[r.source], active: flags(r), mods: scales() });
      } else {
        var ri = add(Object.assign({ name: "ratio:" + key, field: "ratio", kind: "ratio" }, rmeta), r.ratio);
        terms.push({ ratio: ri, axis: axis[r.source], active: flags(r), mods: scales() });
      }
    });
    function active(ts, idx) {
      var out = [];
      ts.forEach(function (t) {
        if (!t.active[idx[t.axis]]) return;
        out.push(t.mods.length ? [t.ratio].concat(t.mods.map(function (m) { return m.scales[idx[m.axis]]; })) : [t.ratio, -1]);
      });
      return out;
    }
    var out = [], n = shape.reduce(function (a, b) { return a * b; }, 1), idx = shape.map(function () { return 0; });
    for (var cell = 0; cell < n; cell++) {
      var b = base, ls = [];
      if (table) {
        var row = 0;
        table.axes.forEach(function (a) { row = row * shape[a] + idx[a]; });
        b = table.params[row];
      }
      leaks.forEach(function (lk) { if (lk.unmet[idx[lk.axis]]) ls.push(lk.param); });
      out.push([2 * cell + 1, 2 * cell, b, active(terms, idx), ls, active(routes, idx)]);
      for (var k = shape.length - 1; k >= 0; k--) { if (++idx[k] < shape[k]) break; idx[k] = 0; }
    }
    return out;
  }

  // ------------------------------------------------------------------ the plan (elimination.py, engine.py)
  // Greedy min-fill: at each step the variable adding the fewest fill edges (ties: fewest neighbours,
  // then name), exactly the order argmap.inference.elimination.min_fill_order gives.
  function minFillOrder(scopes, names) {
    var n = names.length, i, j, adj = new Uint8Array(n * n), nbrs = [], todo = new Uint8Array(n).fill(1), left = n;
    for (i = 0; i < n; i++) nbrs.push([]);
    function link(a, b) { if (!adj[a * n + b]) { adj[a * n + b] = adj[b * n + a] = 1; nbrs[a].push(b); nbrs[b].push(a); } }
    scopes.forEach(function (s) { for (var x = 0; x < s.length; x++) for (var y = x + 1; y < s.length; y++) if (s[x] !== s[y]) link(s[x], s[y]); });
    function fill(v) {              // edges missing among v's neighbours
      var nb = nbrs[v], miss = 0;
      for (var x = 0; x < nb.length; x++) for (var y = x + 1; y < nb.length; y++) if (!adj[nb[x] * n + nb[y]]) miss++;
      return miss;
    }
    var score = [], stamp = new Int32Array(n), step = 0;
    for (i = 0; i < n; i++) score.push(fill(i));
    var order = [];
    while (left) {
      var best = -1;
      for (i = 0; i < n; i++) {
        if (!todo[i]) continue;
        if (best < 0 || score[i] < score[best] || (score[i] === score[best] &&
            (nbrs[i].length < nbrs[best].length || (nbrs[i].length === nbrs[best].length && names[i] < names[best])))) best = i;
      }
      var v = best, f = score[v], nb = nbrs[v];
      order.push(v);
      todo[v] = 0;
      left--;
      nbrs[v] = [];
      for (i = 0; i < nb.length; i++) {                 // v leaves the graph
        var a = nb[i];
        adj[a * n + v] = adj[v * n + a] = 0;
        nbrs[a].splice(nbrs[a].indexOf(v), 1);
      }
      if (f) for (i = 0; i < nb.length; i++) for (j = i + 1; j < nb.length; j++) link(nb[i], nb[j]);
      // rescore v's neighbours (and theirs, when fill edges were added): the only scores that can change
      step++;
      var touched = [];
      for (i = 0; i < nb.length; i++) {
        if (stamp[nb[i]] !== step) { stamp[nb[i]] = step; touched.push(nb[i]); }
        if (f) for (j = 0; j < nbrs[nb[i]].length; j++) {
          var u = nbrs[nb[i]][j];
          if (stamp[u] !== step) { stamp[u] = step; touched.push(u); }
        }
      }
      for (i = 0; i < touched.length; i++) if (todo[touched[i]]) score[touched[i]] = fill(touched[i]);
    }
    return order;
  }

  function plan(names, parents, cards) {
    var factors = names.map(function (_, v) { return { "var": v, scope: parents[v].concat([v]) }; });
    var order = minFillOrder(factors.map(function (f) { return f.scope; }), names);
    var scopes = new Map(), holders = names.map(function () { return new Set(); });
    factors.forEach(function (f, i) { scopes.set(i, f.scope); f.scope.forEach(function (u) { holders[u].add(i); }); });
    var steps = [], nextId = factors.length;
    function addStep(ins, out) {
      steps.push({ "in": ins.slice(), out: out.slice() });
      ins.forEach(function (i) { scopes.get(i).forEach(function (u) { holders[u].delete(i); }); scopes.delete(i); });
      scopes.set(nextId, out);
      out.forEach(function (u) { holders[u].add(nextId); });
      nextId++;
    }
    function unionOf(ids) {
      var u = [];
      ids.forEach(function (i) { scopes.get(i).forEach(function (x) { if (u.indexOf(x) < 0) u.push(x); }); });
      return u;
    }
    order.forEach(function (v) {
      var ins = Array.from(holders[v]).sort(function (a, b) { return a - b; });
      var union = unionOf(ins);
      while (ins.length > MAX_OPERANDS) {
        var group = ins.slice(0, MAX_OPERANDS);
        addStep(group, unionOf(group));
        ins = ins.slice(MAX_OPERANDS).concat([nextId - 1]);
      }
      addStep(ins, union.filter(function (u) { return u !== v; }));
    });
    return { factors: factors, steps: steps, final: Array.from(scopes.keys()) };
  }

  // ------------------------------------------------------------------ conditions (Model.conditions)
  // The scenario's conditions, then explicit ones (which win); observations always observed.
  function conditions(map, scenario, given, set) {
    var g = {}, s = {}, sc = scenario && map.scenarios[scenario];
    Object.keys(map.observations).forEach(function (o) { if (map.observations[o] === null && o in map.claims) g[o] = "true"; });
    if (sc) { Object.assign(g, sc.given); Object.assign(s, sc.set); }
    Object.keys(given || {}).forEach(function (k) { if (k in map.claims) { delete s[k]; g[k] = given[k]; } });
    Object.keys(set || {}).forEach(function (k) { if (k in map.claims) { delete g[k]; s[k] = set[k]; } });
    return { given: g, set: s };
  }

  return { applyEdits: applyEdits, shallow: shallow, allParents: allParents, topologicalOrder: topologicalOrder, check: check,
           compile: compile, minFillOrder: minFillOrder, conditions: conditions, qv: qv, relKey: relKey, copy: copy };
})();
