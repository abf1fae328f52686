// Exact marginals of an argmap network in the browser: the engine's forward-backward variable
// elimination over the network written by argmap.inference.netjson.network_json (see that module for the format).
// Conditions edit tables, so one compiled plan serves every query: an observed claim keeps only its
// state's column of its own CPT; an intervened claim's CPT becomes the indicator of its state.
"use strict";

var ArgmapEval = (function () {
  function prod(xs) { var m = 1; for (var i = 0; i < xs.length; i++) m *= xs[i]; return m; }

  // Index maps depend only on the shape of a step (its scopes as positions in their union, and the
  // cards), so a page that recompiles after a reader's edit reuses those of the steps it shares.
  var shapes = new Map();
  function cachedStepIndex(scopesIn, scopeOut, cards) {
    var union = [];
    scopesIn.forEach(function (s) { s.forEach(function (u) { if (union.indexOf(u) < 0) union.push(u); }); });
    var pos = function (s) { return s.map(function (u) { return union.indexOf(u); }); };
    var key = JSON.stringify([union.map(function (u) { return cards[u]; }), scopesIn.map(pos), pos(scopeOut)]);
    var hit = shapes.get(key);
    if (!hit) {
      if (shapes.size > 4000) shapes.clear();
      hit = stepIndex(scopesIn, scopeOut, cards);
      shapes.set(key, hit);
    }
    return { size: hit.size, ins: hit.ins, out: hit.out };
  }

  // Index maps of one elimination step: for each cell of the union of the inputs' scopes, the
  // offset into every input table and into the output table.
  function stepIndex(scopesIn, scopeOut, cards) {
    var union = [];
    scopesIn.forEach(function (s) { s.forEach(function (u) { if (union.indexOf(u) < 0) union.push(u); }); });
    var ucards = union.map(function (u) { return cards[u]; });
    var size = prod(ucards);
    function strides(scope) {
      var st = new Array(union.length).fill(0), m = 1;
      for (var k = scope.length - 1; k >= 0; k--) { st[union.indexOf(scope[k])] = m; m *= cards[scope[k]]; }
      return st;
    }
    var all = scopesIn.concat([scopeOut]).map(strides);
    var idx = all.map(function () { return new Int32Array(size); });
    var digit = new Array(union.length).fill(0), off = new Array(all.length).fill(0);
    for (var c = 0; c < size; c++) {
      for (var t = 0; t < all.length; t++) idx[t][c] = off[t];
      for (var k = union.length - 1; k >= 0; k--) {            // odometer, last variable fastest
        digit[k]++;
        for (t = 0; t < all.length; t++) off[t] += all[t][k];
        if (digit[k] < ucards[k]) break;
        for (t = 0; t < all.length; t++) off[t] -= all[t][k] * ucards[k];
        digit[k] = 0;
      }
    }
    return { size: size, ins: idx.slice(0, scopesIn.length), out: idx[scopesIn.length] };
  }

  // Compile a network_json() object once; the result evaluates any θ and conditions.
  function compile(net) {
    var n = net.variables.length;
    var cards = net.states.map(function (s) { return s.length; });
    var sizes = [], cpts = [];
    for (var v = 0; v < n; v++) {
      var sz = cards[v];
      net.parents[v].forEach(function (p) { sz *= cards[p]; });
      sizes.push(sz);
      cpts.push(new Float64Array(sz));
    }
    var scopes = net.factors.map(function (f) { return f.scope; });
    var tableSizes = scopes.map(function (s) { return prod(s.map(function (u) { return cards[u]; })); });
    var factorOf = new Array(n).fill(-1);
    net.factors.forEach(function (f, i) { factorOf[f.var] = i; });
    var steps = net.steps.map(function (st) {
      var ix = cachedStepIndex(st.in.map(function (i) { return scopes[i]; }), st.out, cards);
      scopes.push(st.out);
      tableSizes.push(prod(st.out.map(function (u) { return cards[u]; })));
      ix.inputs = st.in;
      return ix;
    });
    var index = {};
    net.variables.forEach(function (name, i) { index[name] = i; });
    var c = { net: net, n: n, cards: cards, cpts: cpts, steps: steps, tableSizes: tableSizes,
              factorOf: factorOf, index: index, nFactors: net.factors.length };
    c.fill = function (theta) { fill(c, theta); };
    c.marginals = function (theta, given, set) { return marginals(c, theta, given, set); };
    return c;
  }

  // A term's or route's power: the product of its modulators' scales (1 when unmodulated: [k, -1]).
  function exponentOf(term, theta) {
    if (term[1] < 0) return 1.0;
    var exponent = 1.0;                              // several modulators multiply the weight
    for (var q = 1; q < term.length; q++) exponent *= theta[term[q]];
    return exponent;
  }

  // Every CPT cell from θ: the formulas of argmap.inference.program (odds form for composed cells,
  // after the noisy-OR of the cell's routes).
  function fill(c, theta) {
    var cells = c.net.cells;
    for (var v = 0; v < c.n; v++) {
      var t = c.cpts[v], cs = cells[v], i, e;
      for (i = 0; i < cs.copy.length; i++) { e = cs.copy[i]; t[e[0]] = theta[e[1]]; }
      for (i = 0; i < cs.direct.length; i++) { e = cs.direct[i]; t[e[0]] = theta[e[2]]; t[e[1]] = 1.0 - theta[e[2]]; }
      for (i = 0; i < cs.composed.length; i++) {
        e = cs.composed[i];
        var p, b = e[2], terms = e[3], leaks = e[4], routes = e[5] || [], k;
        if (b < 0) p = 1.0;
        else {
          var u = theta[b], fail = 1.0 - theta[b];     // fail: the chance that nothing brings it about
          for (k = 0; k < routes.length; k++) {        // noisy-OR: [p, -1] or [p, scale, scale, ...]
            fail *= Math.pow(1.0 - theta[routes[k][0]], exponentOf(routes[k], theta));
          }
          if (routes.length) u = 1.0 - fail;
          for (k = 0; k < terms.length; k++) {         // [ratio, -1] or [ratio, scale, scale, ...]
            var term = terms[k];
            if (term[1] < 0) { u *= theta[term[0]]; continue; }
            u *= Math.pow(theta[term[0]], exponentOf(term, theta));
          }
          p = u / (u + fail);
        }
        for (k = 0; k < leaks.length; k++) p *= leaks[k] < 0 ? 0.0 : theta[leaks[k]];
        t[e[0]] = p;
        t[e[1]] = 1.0 - p;
      }
    }
  }

  // Marginals of every claim given θ, observations {claim: state} and interventions {claim: state}.
  // Returns {z, marginals: [Float64Array per claim]}; z = P(observations | do(interventions)),
  // and marginals is null when z is not positive (impossible conditions).
  // Work tables are allocated once per compiled network and reused by every query (a slider drag or the
  // interval's thousand draws allocate only the marginals they return).
  function workspace(c) {
    if (!c.work) {
      var tables = c.tableSizes.map(function (n) { return new Float64Array(n); });
      c.work = { tables: tables, adj: c.tableSizes.map(function (n) { return new Float64Array(n); }) };
    }
    return c.work;
  }
  function marginals(c, theta, given, set) {
    fill(c, theta);
    var fixed = new Array(c.n).fill(-1), v, k, w = workspace(c);
    var tables = w.tables;
    for (var f = 0; f < c.nFactors; f++) {
      v = c.net.factors[f].var;
      tables[f].set(c.cpts[v]);
    }
    function cond(map, intervene) {
      Object.keys(map || {}).forEach(function (name) {
        var v = c.index[name];
        if (v === undefined) throw new Error("unknown claim " + name);
        var s = c.net.states[v].indexOf(map[name]);
        if (s < 0) throw new Error("claim " + name + " has no state " + map[name]);
        fixed[v] = s;
        var t = tables[c.factorOf[v]], card = c.cards[v];
        for (var j = 0; j < t.length; j++) {
          var hit = j % card === s;
          if (intervene) t[j] = hit ? 1.0 : 0.0;
          else if (!hit) t[j] = 0.0;
        }
      });
    }
    cond(given, false);
    cond(set, true);
    // forward: each step multiplies its inputs and sums out what its output does not keep
    var st, cell, m, i, j;
    for (k = 0; k < c.steps.length; k++) {
      st = c.steps[k];
      var out = tables[c.nFactors + k];
      out.fill(0);
      var ins = st.inputs.map(function (id) { return tables[id]; });
      for (cell = 0; cell < st.size; cell++) {
        m = 1.0;
        for (i = 0; i < ins.length; i++) m *= ins[i][st.ins[i][cell]];
        out[st.out[cell]] += m;
      }
    }
    var finals = c.net.final, z = 1.0;
    for (i = 0; i < finals.length; i++) z *= tables[finals[i]][0];
    if (!(z > 0)) return { z: z, marginals: null };
    // backward: the adjoint dZ/d(table) of every table, from the output of each step to its inputs
    var adj = w.adj;                // each table is the input of one step: its adjoint is written once
    for (i = 0; i < finals.length; i++) {
      var others = 1.0;
      for (j = 0; j < finals.length; j++) if (j !== i) others *= tables[finals[j]][0];
      adj[finals[i]][0] = others;
    }
    for (k = c.steps.length - 1; k >= 0; k--) {
      st = c.steps[k];
      var g = adj[c.nFactors + k];
      var tin = st.inputs.map(function (id) { return tables[id]; });
      var ain = st.inputs.map(function (id) { var a = adj[id]; a.fill(0); return a; });
      for (cell = 0; cell < st.size; cell++) {
        var gv = g[st.out[cell]];
        if (gv === 0) continue;
        for (j = 0; j < tin.length; j++) {
          m = gv;
          for (i = 0; i < tin.length; i++) if (i !== j) m *= tin[i][st.ins[i][cell]];
          ain[j][st.ins[j][cell]] += m;
        }
      }
    }
    var result = [];
    for (v = 0; v < c.n; v++) {
      var card = c.cards[v], res = new Float64Array(card);
      if (fixed[v] >= 0) { res[fixed[v]] = 1.0; result.push(res); continue; }
      var fid = c.factorOf[v], t = tables[fid], a = adj[fid];
      for (j = 0; j < t.length; j++) res[j % card] += t[j] * a[j];
      for (j = 0; j < card; j++) res[j] /= z;
      result.push(res);
    }
    return { z: z, marginals: result };
  }

  return { compile: compile };
})();
