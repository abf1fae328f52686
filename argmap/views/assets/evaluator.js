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
    var union = [], key = "", i, j;
    for (i = 0; i < scopesIn.length; i++) for (j = 0; j < scopesIn[i].length; j++) if (union.indexOf(scopesIn[i][j]) < 0) union.push(scopesIn[i][j]);
    for (i = 0; i < union.length; i++) key += cards[union[i]] + ",";
    for (i = 0; i < scopesIn.length; i++) { key += "|"; for (j = 0; j < scopesIn[i].length; j++) key += union.indexOf(scopesIn[i][j]) + ","; }
    key += ">";
    for (j = 0; j < scopeOut.length; j++) key += union.indexOf(scopeOut[j]) + ",";
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

  // Compile a network_json() object once; the result evaluates any θ and conditions. A network may carry
  // ``offsets`` (the page's incremental compiler, compile.js build): claim v's cells then number θ from
  // offsets[v], so the cells of a claim an edit leaves alone are reused as they are.
  function compile(net) {
    var n = net.variables.length;
    var cards = net.states.map(function (s) { return s.length; });
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
    // where each table and its adjoint lie in the shared work arena (see arenaFor)
    var at = new Int32Array(tableSizes.length), total = 0;
    for (var i = 0; i < tableSizes.length; i++) { at[i] = total; total += tableSizes[i]; }
    steps.forEach(function (st) { st.at = st.inputs.map(function (id) { return at[id]; }); });
    var index = {};
    net.variables.forEach(function (name, i) { index[name] = i; });
    var c = { net: net, n: n, cards: cards, steps: steps, tableSizes: tableSizes, at: at, cells: total,
              offsets: net.offsets || null, factorOf: factorOf, index: index, nFactors: net.factors.length };
    c.marginals = function (theta, given, set, only) { return marginals(c, theta, given, set, only); };
    return c;
  }

  // One work arena for every compiled network (tables, then their adjoints), grown as needed: queries
  // allocate only the marginals they return, and a recompiled network (a reader's edit) allocates no
  // tables at all. Queries never interleave (the page is single-threaded).
  var arena = new Float64Array(0);
  function arenaFor(c) {
    if (arena.length < 2 * c.cells) arena = new Float64Array(Math.max(2 * c.cells, 2 * arena.length));
    return arena;
  }

  // A term's or route's power: the product of its modulators' scales (1 when unmodulated: [k, -1]).
  function exponentOf(term, theta, o) {
    if (term[1] < 0) return 1.0;
    var exponent = 1.0;                              // several modulators multiply the weight
    for (var q = 1; q < term.length; q++) exponent *= theta[o + term[q]];
    return exponent;
  }

  // Every CPT cell from θ, written into claim v's factor table at A[at[v's factor]]: the formulas of
  // argmap.inference.program (odds form for composed cells, after the noisy-OR of the cell's routes).
  function fill(c, theta, A) {
    var cells = c.net.cells, offsets = c.offsets;
    for (var v = 0; v < c.n; v++) {
      var t = c.at[c.factorOf[v]], o = offsets ? offsets[v] : 0, cs = cells[v], i, e;
      for (i = 0; i < cs.copy.length; i++) { e = cs.copy[i]; A[t + e[0]] = theta[o + e[1]]; }
      for (i = 0; i < cs.direct.length; i++) { e = cs.direct[i]; A[t + e[0]] = theta[o + e[2]]; A[t + e[1]] = 1.0 - theta[o + e[2]]; }
      for (i = 0; i < cs.composed.length; i++) {
        e = cs.composed[i];
        var p, b = e[2], terms = e[3], leaks = e[4], routes = e[5] || [], k;
        if (b < 0) p = 1.0;
        else {
          var u = theta[o + b], fail = 1.0 - theta[o + b];     // fail: the chance that nothing brings it about
          for (k = 0; k < routes.length; k++) {        // noisy-OR: [p, -1] or [p, scale, scale, ...]
            fail *= Math.pow(1.0 - theta[o + routes[k][0]], exponentOf(routes[k], theta, o));
          }
          if (routes.length) u = 1.0 - fail;
          for (k = 0; k < terms.length; k++) {         // [ratio, -1] or [ratio, scale, scale, ...]
            var term = terms[k];
            if (term[1] < 0) { u *= theta[o + term[0]]; continue; }
            u *= Math.pow(theta[o + term[0]], exponentOf(term, theta, o));
          }
          p = u / (u + fail);
        }
        for (k = 0; k < leaks.length; k++) p *= leaks[k] < 0 ? 0.0 : theta[o + leaks[k]];
        A[t + e[0]] = p;
        A[t + e[1]] = 1.0 - p;
      }
    }
  }

  // Marginals of every claim given θ, observations {claim: state} and interventions {claim: state}.
  // Returns {z, marginals: [an array of its states' probabilities per claim]}; z = P(observations | do(interventions)),
  // and marginals is null when z is not positive (impossible conditions). With ``only`` (a claim's
  // index) just that claim's marginal is written (the others are null): the interval's draws need one.
  function marginals(c, theta, given, set, only) {
    var A = arenaFor(c), at = c.at, G = c.cells;   // table id's cells at A[at[id]], its adjoint at A[G + at[id]]
    fill(c, theta, A);
    var fixed = null, v, k;
    function cond(map, intervene) {
      for (var name in map) {
        var v = c.index[name];
        if (v === undefined) throw new Error("unknown claim " + name);
        var s = c.net.states[v].indexOf(map[name]);
        if (s < 0) throw new Error("claim " + name + " has no state " + map[name]);
        (fixed = fixed || new Int32Array(c.n).fill(-1))[v] = s;
        var f = c.factorOf[v], t = at[f], size = c.tableSizes[f], card = c.cards[v];
        for (var j = 0; j < size; j++) {
          var hit = j % card === s;
          if (intervene) A[t + j] = hit ? 1.0 : 0.0;
          else if (!hit) A[t + j] = 0.0;
        }
      }
    }
    cond(given, false);
    cond(set, true);
    // forward: each step multiplies its inputs and sums out what its output does not keep
    var st, cell, m, i, j, n, ix, o;
    for (k = 0; k < c.steps.length; k++) {
      st = c.steps[k];
      o = at[c.nFactors + k];
      A.fill(0, o, o + c.tableSizes[c.nFactors + k]);
      n = st.ins.length; ix = st.ins;
      var sat = st.at, so = st.out;
      if (n === 1) {
        var i0 = ix[0], a0 = sat[0];
        for (cell = 0; cell < st.size; cell++) A[o + so[cell]] += A[a0 + i0[cell]];
      } else if (n === 2) {
        var j0 = ix[0], j1 = ix[1], b0 = sat[0], b1 = sat[1];
        for (cell = 0; cell < st.size; cell++) A[o + so[cell]] += A[b0 + j0[cell]] * A[b1 + j1[cell]];
      } else {
        for (cell = 0; cell < st.size; cell++) {
          m = 1.0;
          for (i = 0; i < n; i++) m *= A[sat[i] + ix[i][cell]];
          A[o + so[cell]] += m;
        }
      }
    }
    var finals = c.net.final, z = 1.0;
    for (i = 0; i < finals.length; i++) z *= A[at[finals[i]]];
    if (!(z > 0)) return { z: z, marginals: null };
    // backward: the adjoint dZ/d(table) of every table, from the output of each step to its inputs
    // (each table is the input of one step: its adjoint is written once)
    for (i = 0; i < finals.length; i++) {
      var others = 1.0;
      for (j = 0; j < finals.length; j++) if (j !== i) others *= A[at[finals[j]]];
      A[G + at[finals[i]]] = others;
    }
    for (k = c.steps.length - 1; k >= 0; k--) {
      st = c.steps[k];
      var g = G + at[c.nFactors + k];
      n = st.ins.length; ix = st.ins;
      var tat = st.at, out = st.out;
      for (i = 0; i < n; i++) { o = G + tat[i]; A.fill(0, o, o + c.tableSizes[st.inputs[i]]); }
      for (cell = 0; cell < st.size; cell++) {
        var gv = A[g + out[cell]];
        if (gv === 0) continue;
        if (n === 1) { A[G + tat[0] + ix[0][cell]] += gv; continue; }
        if (n === 2) {
          var c0 = ix[0][cell], c1 = ix[1][cell];
          A[G + tat[0] + c0] += gv * A[tat[1] + c1];
          A[G + tat[1] + c1] += gv * A[tat[0] + c0];
          continue;
        }
        for (j = 0; j < n; j++) {
          m = gv;
          for (i = 0; i < n; i++) if (i !== j) m *= A[tat[i] + ix[i][cell]];
          A[G + tat[j] + ix[j][cell]] += m;
        }
      }
    }
    var result = [];
    for (v = 0; v < c.n; v++) {
      if (only !== undefined && v !== only) { result.push(null); continue; }
      var card = c.cards[v], res = [];
      for (j = 0; j < card; j++) res.push(0.0);
      if (fixed && fixed[v] >= 0) { res[fixed[v]] = 1.0; result.push(res); continue; }
      var fid = c.factorOf[v], t = at[fid], a = G + t, size = c.tableSizes[fid];
      for (j = 0; j < size; j++) res[j % card] += A[t + j] * A[a + j];
      for (j = 0; j < card; j++) res[j] /= z;
      result.push(res);
    }
    return { z: z, marginals: result };
  }

  return { compile: compile };
})();
