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
  // Is ``r`` the relation ``key`` names ("source -> target")? (relKey(r) === key, without making the string)
  function isRel(r, key) {
    var n = r.source.length;
    return key.length === n + 4 + r.target.length && key.startsWith(r.source) && key.startsWith(" -> ", n) && key.endsWith(r.target);
  }
  // Apply edits to ``map`` (a shallow() copy: claims and relations are copied before they change);
  // problems (an edit that cannot apply) are pushed to ``problems``. With ``memo`` ({old, now}: Maps from
  // an edit's JSON to what it made; texts: each edit's JSON, when known), a claim or relation edit
  // applied to the same object as in ``old``
  // gives the object it gave then (recorded in ``now``), so a compile from the last one (build) can
  // reuse the pieces of the claims it leaves alone.
  function applyEdits(map, edits, problems, who, memo) {
    var m = map;
    structures.delete(m);
    function remembered(e, before) {
      if (!memo) return null;
      var key = memo.texts ? memo.texts[at] : JSON.stringify(e), was = memo.old.get(key);
      if (was && was.before === before) { memo.now.set(key, was); return was.after; }
      memo.pending = { key: key, before: before };
      return null;
    }
    function remember(after) {
      if (memo && memo.pending) { memo.now.set(memo.pending.key, { before: memo.pending.before, after: after }); memo.pending = null; }
    }
    var at = -1;
    edits.forEach(function (e) {
      var op = e[0], i, hit;
      at++;
      if (op === "claim") {
        if (e[3] === "new" && m.claims[e[1]]) { problems.push((who || "an edit") + " adds claim '" + e[1] + "', which already exists"); return; }
        if (!m.claims[e[1]] && e[3] !== "new") { problems.push((who || "an edit") + " changes claim '" + e[1] + "', which is not in the map"); return; }
        hit = remembered(e, m.claims[e[1]]);
        if (hit) { m.claims[e[1]] = hit; return; }
        m.claims[e[1]] = Object.assign({}, m.claims[e[1]]);
        setFields(m.claims[e[1]], e[2]);
        remember(m.claims[e[1]]);
      } else if (op === "drop") {
        delete m.claims[e[1]];
        delete m.observations[e[1]];
      } else if (op === "rel") {
        for (i = 0; i < m.relations.length; i++) if (isRel(m.relations[i], e[1])) break;
        if (e[3] === "new" && i < m.relations.length) { problems.push((who || "an edit") + " adds relation " + e[1] + ", which already exists"); return; }
        if (i === m.relations.length && e[3] !== "new") { problems.push((who || "an edit") + " changes relation " + e[1] + ", which is not in the map"); return; }
        hit = remembered(e, m.relations[i]);
        if (hit) { m.relations[i] = hit; return; }
        m.relations[i] = Object.assign({}, m.relations[i]);
        setFields(m.relations[i], e[2]);
        remember(m.relations[i]);
      } else if (op === "unrel") {
        m.relations = m.relations.filter(function (r) { return !isRel(r, e[1]); });
      } else if (op === "remove") {           // an overlay's remove: a relation (overlay.py _remove)
        var gone = null;
        for (i = 0; i < m.relations.length && !gone; i++) if (isRel(m.relations[i], e[1])) gone = m.relations[i];
        if (!gone) { problems.push((who || "an edit") + " removes relation " + e[1] + ", which is not in the map"); return; }
        m.relations = m.relations.filter(function (r) { return !isRel(r, e[1]); });
        var t = gone.target, c = m.claims[t];
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
  // Each map's parents and order, worked out once for check and build (applyEdits forgets a map's)
  var structures = new WeakMap();
  function structure(map) {
    var st = structures.get(map);
    if (!st) {
      var every = allParents(map);
      st = { every: every, order: topologicalOrder(every) };
      structures.set(map, st);
    }
    return st;
  }
  // parents first, the smallest id first among those ready; null on a cycle
  function topologicalOrder(parents) {
    var names = Object.keys(parents), n = names.length, at = new Map(), waiting = new Int32Array(n), i, j, v;
    for (i = 0; i < n; i++) at.set(names[i], i);
    var first = new Int32Array(n).fill(-1), kid = [], next = [];      // children as linked lists of edges
    for (v = 0; v < n; v++) {
      var ps = parents[names[v]];
      for (j = 0; j < ps.length; j++) {
        var p = at.get(ps[j]);
        if (p === undefined) continue;
        waiting[v]++;
        kid.push(v); next.push(first[p]); first[p] = kid.length - 1;
      }
    }
    var ready = [], order = [];
    for (v = 0; v < n; v++) if (!waiting[v]) ready.push(v);
    while (ready.length) {
      var best = 0;
      for (i = 1; i < ready.length; i++) if (names[ready[i]] < names[ready[best]]) best = i;
      v = ready[best];
      ready[best] = ready[ready.length - 1];
      ready.pop();
      order.push(names[v]);
      for (var e = first[v]; e >= 0; e = next[e]) if (--waiting[kid[e]] === 0) ready.push(kid[e]);
    }
    return order.length === n ? order : null;
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
    var st = structure(map), parents = st.every;
    if (st.order === null) problems.push("these claims and relations make a cycle");
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

  // The network of ``map`` with claim v's cells numbering θ from offsets[v] (the evaluator adds it): each
  // claim's parameters and cells are a piece that depends only on the claim, the relations computed into
  // it, its parents and their states; ``prev`` (an earlier build) lends every piece whose inputs are the
  // same objects (the page's edits copy what they change), and its plan when the graph is the same, so a
  // reader's edit compiles only the claims it touches. compile(map) is the same network numbered as
  // argmap.inference.netjson writes it.
  function build(map, prev) {
    var st = structure(map), every = st.every, order = st.order;
    if (order === null) throw new Error("the map has a cycle");
    var index = {};
    order.forEach(function (v, i) { index[v] = i; });
    var states = order.map(function (v) { return map.claims[v].states; });
    var relsByTarget = {};
    map.relations.forEach(function (r) {
      if (r.target in map.claims && !drawnOnly(map, r)) (relsByTarget[r.target] = relsByTarget[r.target] || []).push(r);
    });
    var meta = [], names = [], theta = [], cells = [], offsets = [], pieces = {}, lent = prev && prev.pieces, reused = 0;
    order.forEach(function (cid) {
      var parents = every[cid], rels = relsByTarget[cid] || [], pc = lent && lent[cid];
      if (!pc || !samePiece(pc, map, map.claims[cid], parents, rels)) pc = piece(map, cid, parents, rels);
      else reused++;
      pieces[cid] = pc;
      offsets.push(meta.length);
      for (var k = 0; k < pc.meta.length; k++) { meta.push(pc.meta[k]); names.push(pc.meta[k].name); theta.push(pc.theta[k]); }
      cells.push(pc.cell);
    });
    var parentIdx = order.map(function (v) { return every[v].map(function (p) { return index[p]; }); });
    var cards = states.map(function (s) { return s.length; });
    var pl = prev && sameGraph(prev, order, parentIdx, cards) ? prev : null, how = pl ? "same" : "folded";
    pl = pl || (prev && folded(prev, order, parentIdx, cards));
    if (!pl) { pl = plan(order, parentIdx, cards); how = null; }
    var net = { format: 2, variables: order, states: states, parents: parentIdx, params: names,
                theta: theta, cells: cells, offsets: offsets, factors: pl.factors, steps: pl.steps, final: pl.final, meta: meta };
    Object.defineProperty(net, "pieces", { value: pieces });        // (not part of the network's JSON)
    Object.defineProperty(net, "reused", { value: { pieces: reused, plan: how,          // (folded: an earlier plan was)
                                                    folded: how === "folded" || (how === "same" && !!prev.reused && prev.reused.folded) } });
    return net;
  }
  function sameList(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  function samePiece(pc, map, claim, parents, rels) {
    if (pc.claim !== claim || !sameList(pc.parents, parents) || !sameList(pc.rels, rels)) return false;
    for (var i = 0; i < parents.length; i++) {
      var a = pc.parentStates[i], b = map.claims[parents[i]].states;
      if (a !== b && !sameList(a, b)) return false;
    }
    return true;
  }
  function sameGraph(prev, order, parentIdx, cards) {
    if (!sameList(prev.variables, order)) return false;
    for (var v = 0; v < order.length; v++) {
      if (prev.states[v].length !== cards[v] || !sameList(prev.parents[v], parentIdx[v])) return false;
    }
    return true;
  }

  // prev's plan for a graph that only adds root claims, each bearing on one claim prev had (a reader's
  // new claims): each new root is eliminated first, into its child's table (a step of the two tables
  // whose output is the child's table as prev had it), then prev's steps run as they were, renumbered.
  // Any elimination order gives the same marginals; null when the graph changed otherwise.
  function folded(prev, order, parentIdx, cards) {
    var n = order.length, oldN = prev.variables.length, at = new Map(), i, k, v;
    if (n <= oldN || prev.factors.length !== oldN) return null;
    for (i = 0; i < n; i++) at.set(order[i], i);
    var newOf = new Int32Array(oldN), isOld = new Uint8Array(n);
    for (i = 0; i < oldN; i++) {
      var j = at.get(prev.variables[i]);
      if (j === undefined || cards[j] !== prev.states[i].length || prev.factors[i]["var"] !== i) return null;
      newOf[i] = j;
      isOld[j] = 1;
    }
    var childOf = new Int32Array(n).fill(-1), children = new Int32Array(n), roots = [];
    for (v = 0; v < n; v++) for (k = 0; k < parentIdx[v].length; k++) { children[parentIdx[v][k]]++; childOf[parentIdx[v][k]] = v; }
    for (v = 0; v < n; v++) {
      if (isOld[v]) continue;
      if (parentIdx[v].length || children[v] !== 1 || !isOld[childOf[v]]) return null;
      roots.push(v);
    }
    for (i = 0; i < oldN; i++) {          // each old claim keeps its parents, in order; new roots only after them
      var was = prev.parents[i], now = parentIdx[newOf[i]];
      if (now.length < was.length) return null;
      for (k = 0; k < was.length; k++) if (now[k] !== newOf[was[k]]) return null;
      for (; k < now.length; k++) if (isOld[now[k]]) return null;
    }
    var factors = order.map(function (_, u) { return { "var": u, scope: parentIdx[u].concat([u]) }; });
    var steps = [], into = new Int32Array(n), scopeOf = function (id) { return id < n ? factors[id].scope : steps[id - n].out; };
    for (v = 0; v < n; v++) into[v] = v;             // the table holding each claim's factor so far
    roots.forEach(function (x) {
      var t = childOf[x], held = into[t];
      steps.push({ "in": [held, x], out: scopeOf(held).filter(function (u) { return u !== x; }) });
      into[t] = n + steps.length - 1;
    });
    var base = n + steps.length;
    function id(o) { return o < oldN ? into[newOf[o]] : base + o - oldN; }
    prev.steps.forEach(function (st) {
      steps.push({ "in": st["in"].map(id), out: st.out.map(function (u) { return newOf[u]; }) });
    });
    return { factors: factors, steps: steps, final: prev.final.map(id) };
  }

  // One claim's parameters (θ numbered from 0) and cells (argmap.inference.network's formulas).
  function piece(map, cid, parents, rels) {
    var claim = map.claims[cid], meta = [], theta = [], cell = { copy: [], direct: [], composed: [] };
    var prov = claim.prov || {};
    function add(m, q) {
      m.range = qrange(q);
      if (qbeta(q)) m.beta = qbeta(q);
      meta.push(m);
      theta.push(qv(q));
      return meta.length - 1;
    }
    if (claim.table && !rels.length) {
      var t = claim.table;
      t.rows.forEach(function (row, r) {
        var label = t.given.map(function (g, k) { return g + "=" + row[0][k]; }).join(",");
        if (binary(claim.states)) {
          var k = add({ name: "table:" + cid + "[" + label + "]", claim: cid, field: "table", kind: "probability", row: label, prov: prov }, row[1][1]);
          cell.direct.push([2 * r + 1, 2 * r, k]);
        } else {
          var g0 = meta.length, group = claim.states.map(function (s) { return "table:" + cid + "[" + label + "]=" + s; });
          claim.states.forEach(function (s, j) {
            add({ name: group[j], claim: cid, field: "table", kind: "simplex", state: s, group: group, row: label, prov: prov }, row[1][j]);
          });
          for (var j = 0; j < claim.states.length; j++) cell.copy.push([g0 + j, g0 + j]);
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
      cell.composed = composed(cid, claim, parents, rels, map, add, prov);
    }
    return { claim: claim, parents: parents, rels: rels, parentStates: parents.map(function (p) { return map.claims[p].states; }),
             meta: meta, theta: theta, cell: cell };
  }

  // The network numbered as argmap.inference.netjson.network_json writes it (θ indices global, no offsets).
  function compile(map) { return absolute(build(map, null)); }
  function absolute(net) {
    function shift(o, k) { return k < 0 ? k : o + k; }
    var cells = net.cells.map(function (cs, v) {
      var o = net.offsets[v];
      return { copy: cs.copy.map(function (e) { return [e[0], o + e[1]]; }),
               direct: cs.direct.map(function (e) { return [e[0], e[1], o + e[2]]; }),
               composed: cs.composed.map(function (e) {
                 var terms = function (ts) { return ts.map(function (t) { return t.map(function (k, q) { return q === 1 && k < 0 ? k : o + k; }); }); };
                 return [e[0], e[1], shift(o, e[2]), terms(e[3]), e[4].map(function (k) { return shift(o, k); }), terms(e[5])];
               }) };
    });
    return { format: net.format, variables: net.variables, states: net.states, parents: net.parents, params: net.params,
             theta: net.theta, cells: cells, factors: net.factors, steps: net.steps, final: net.final, meta: net.meta };
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
  // remove x from the array a, in place (splice would make an array of what it removed)
  function drop(a, x) {
    var i = a.indexOf(x);
    if (i < 0) return;
    for (; i < a.length - 1; i++) a[i] = a[i + 1];
    a.length--;
  }
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
    var score = [], stamp = new Int32Array(n), step = 0, touched = [];
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
        drop(nbrs[a], v);
      }
      if (f) for (i = 0; i < nb.length; i++) for (j = i + 1; j < nb.length; j++) link(nb[i], nb[j]);
      // rescore v's neighbours (and theirs, when fill edges were added): the only scores that can change
      step++;
      touched.length = 0;
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
    var scopes = [], live = [], holders = names.map(function () { return []; });      // (arrays: no Sets per edit)
    factors.forEach(function (f, i) { scopes.push(f.scope); live.push(true); f.scope.forEach(function (u) { holders[u].push(i); }); });
    var steps = [];
    function addStep(ins, out) {
      steps.push({ "in": ins, out: out });           // (both made afresh for this step)
      ins.forEach(function (i) { scopes[i].forEach(function (u) { drop(holders[u], i); }); live[i] = false; });
      scopes.push(out);
      live.push(true);
      out.forEach(function (u) { holders[u].push(scopes.length - 1); });
    }
    function unionOf(ids) {
      var u = [];
      ids.forEach(function (i) { scopes[i].forEach(function (x) { if (u.indexOf(x) < 0) u.push(x); }); });
      return u;
    }
    order.forEach(function (v) {
      var ins = holders[v].slice().sort(function (a, b) { return a - b; });
      var union = unionOf(ins);
      while (ins.length > MAX_OPERANDS) {
        var group = ins.slice(0, MAX_OPERANDS);
        addStep(group, unionOf(group));
        ins = ins.slice(MAX_OPERANDS).concat([scopes.length - 1]);
      }
      addStep(ins, union.filter(function (u) { return u !== v; }));
    });
    var final = [];
    live.forEach(function (on, i) { if (on) final.push(i); });
    return { factors: factors, steps: steps, final: final };
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
           compile: compile, build: build, absolute: absolute, minFillOrder: minFillOrder, conditions: conditions, qv: qv, relKey: relKey, copy: copy };
})();
