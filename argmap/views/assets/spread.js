// The headline's interval in the page, on the same model as argmap.analysis.sensitivity.spread: every
// uncertain number drawn from its stated distribution (argmap.inference.distributions: a probability's
// beta, a ratio's or scale's log-normal, a scale range from 0 uniform, a categorical root's Dirichlet),
// jointly through the one-factor Gaussian copula whose shared factor leans each number toward the
// conclusion (sign of its effect at the point) with rank correlation rho (latent r = 2 sin(pi rho / 6)).
// Quantiles are read, as in Python's normal_to_theta, from tables over normal scores (logit of a beta's
// quantile, log of a gamma's), here 257 points on [-8, 8] (within 1.2e-5 of the exact quantile on the
// bundled map's betas), computed in the page by Numerical Recipes' inverse incomplete beta and gamma.
"use strict";

var ArgmapSpread = (function () {
  // ------------------------------------------------------------------ special functions
  var LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
                 -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
                 1.5056327351493116e-7];
  function lgamma(x) {
    if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
    x -= 1;
    var a = LANCZOS[0], t = x + 7.5;
    for (var i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
  }
  // erfc by Chebyshev fitting (Numerical Recipes' erfcc: relative error below 1.2e-7 everywhere)
  function erfc(x) {
    var z = Math.abs(x), t = 2 / (2 + z);
    var r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
            t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? r : 2 - r;
  }
  function Phi(z) { return 0.5 * erfc(-z / Math.SQRT2); }

  var FPMIN = 1e-300, EPS = 1e-15;
  function betacf(a, b, x) {          // continued fraction of the incomplete beta (modified Lentz)
    var qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    d = 1 / d;
    var h = d;
    for (var m = 1; m < 10000; m++) {
      var m2 = 2 * m, aa = m * (b - m) * x / ((qam + m2) * (a + m2));
      d = 1 + aa * d; if (Math.abs(d) < FPMIN) d = FPMIN;
      c = 1 + aa / c; if (Math.abs(c) < FPMIN) c = FPMIN;
      d = 1 / d; h *= d * c;
      aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
      d = 1 + aa * d; if (Math.abs(d) < FPMIN) d = FPMIN;
      c = 1 + aa / c; if (Math.abs(c) < FPMIN) c = FPMIN;
      d = 1 / d;
      var del = d * c;
      h *= del;
      if (Math.abs(del - 1) < EPS) break;
    }
    return h;
  }
  function betai(a, b, x) {           // regularized incomplete beta I_x(a, b)
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    var bt = Math.exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * Math.log(x) + b * Math.log(1 - x));
    return x < (a + 1) / (a + b + 2) ? bt * betacf(a, b, x) / a : 1 - bt * betacf(b, a, 1 - x) / b;
  }
  // the beta(a, b) quantile at p (Numerical Recipes, 3rd ed., 6.4: a first guess, then Halley steps)
  function betaQuantile(a, b, p) {
    if (p <= 0) return 0;
    if (p >= 1) return 1;
    var x, t, u, w, a1 = a - 1, b1 = b - 1;
    if (a >= 1 && b >= 1) {
      var pp = p < 0.5 ? p : 1 - p;
      t = Math.sqrt(-2 * Math.log(pp));
      x = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t;
      if (p < 0.5) x = -x;
      var al = (x * x - 3) / 6, h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1));
      w = x * Math.sqrt(al + h) / h - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (al + 5 / 6 - 2 / (3 * h));
      x = a / (a + b * Math.exp(2 * w));
    } else {
      var lna = Math.log(a / (a + b)), lnb = Math.log(b / (a + b));
      t = Math.exp(a * lna) / a; u = Math.exp(b * lnb) / b; w = t + u;
      x = p < t / w ? Math.pow(a * w * p, 1 / a) : 1 - Math.pow(b * w * (1 - p), 1 / b);
    }
    var afac = -lgamma(a) - lgamma(b) + lgamma(a + b);
    for (var j = 0; j < 30; j++) {
      if (x === 0 || x === 1) return x;
      var err = betai(a, b, x) - p;
      t = Math.exp(a1 * Math.log(x) + b1 * Math.log(1 - x) + afac);
      u = err / t;
      x -= (t = u / (1 - 0.5 * Math.min(1, u * (a1 / x - b1 / (1 - x)))));
      if (x <= 0) x = 0.5 * (x + t);
      if (x >= 1) x = 0.5 * (x + t + 1);
      if (Math.abs(t) < 1e-12 * x && j > 0) break;
    }
    return x;
  }
  function gammp(a, x) {              // regularized lower incomplete gamma P(a, x)
    if (x <= 0) return 0;
    var gln = lgamma(a), n;
    if (x < a + 1) {                  // series
      var ap = a, sum = 1 / a, del = sum;
      for (n = 0; n < 10000; n++) { ap += 1; del *= x / ap; sum += del; if (Math.abs(del) < Math.abs(sum) * EPS) break; }
      return sum * Math.exp(-x + a * Math.log(x) - gln);
    }
    var b = x + 1 - a, c = 1 / FPMIN, d = 1 / b, h = d;     // continued fraction for Q
    for (n = 1; n < 10000; n++) {
      var an = -n * (n - a);
      b += 2;
      d = an * d + b; if (Math.abs(d) < FPMIN) d = FPMIN;
      c = b + an / c; if (Math.abs(c) < FPMIN) c = FPMIN;
      d = 1 / d;
      var dl = d * c;
      h *= dl;
      if (Math.abs(dl - 1) < EPS) break;
    }
    return 1 - Math.exp(-x + a * Math.log(x) - gln) * h;
  }
  // the gamma(a) quantile at p (Numerical Recipes, 3rd ed., 6.2: invgammp)
  function gammaQuantile(a, p) {
    if (p <= 0) return 0;
    if (p >= 1) return Math.max(100, a + 100 * Math.sqrt(a));
    var x, t, u, gln = lgamma(a), a1 = a - 1, lna1 = 0, afac = 0;
    if (a > 1) {
      lna1 = Math.log(a1);
      afac = Math.exp(a1 * (lna1 - 1) - gln);
      var pp = p < 0.5 ? p : 1 - p;
      t = Math.sqrt(-2 * Math.log(pp));
      x = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t;
      if (p < 0.5) x = -x;
      x = Math.max(1e-3, a * Math.pow(1 - 1 / (9 * a) - x / (3 * Math.sqrt(a)), 3));
    } else {
      t = 1 - a * (0.253 + a * 0.12);
      x = p < t ? Math.pow(p / t, 1 / a) : 1 - Math.log(1 - (p - t) / (1 - t));
    }
    for (var j = 0; j < 30; j++) {
      if (x <= 0) return 0;
      var err = gammp(a, x) - p;
      t = a > 1 ? afac * Math.exp(-(x - a1) + a1 * (Math.log(x) - lna1)) : Math.exp(-x + a1 * Math.log(x) - gln);
      u = err / t;
      x -= (t = u / (1 - 0.5 * Math.min(1, u * ((a - 1) / x - 1))));
      if (x <= 0) x = 0.5 * (x + t);
      if (Math.abs(t) < 1e-12 * x) break;
    }
    return x;
  }

  // ------------------------------------------------------------------ quantiles on normal scores
  var TABLE_Z = 8, TABLE_POINTS = 257, UCLIP = 1e-12, tables = new Map();
  function clipU(u) { return Math.min(1 - UCLIP, Math.max(UCLIP, u)); }
  // logit of the beta's quantile at Phi(z); the upper half from the mirrored beta, so both tails are exact
  // (capped where Python's table caps it: a quantile at most 1 - 1e-16)
  var TOP = 1 - 1e-16, LOGIT_TOP = Math.log(TOP) - Math.log1p(-TOP);
  function betaLogit(a, b, z) {
    if (z > 0) return Math.min(-lowerLogit(b, a, -z), LOGIT_TOP);
    return lowerLogit(a, b, z);
  }
  function lowerLogit(a, b, z) {
    var x = Math.min(Math.max(betaQuantile(a, b, clipU(Phi(z))), 1e-300), TOP);
    return Math.log(x) - Math.log1p(-x);
  }
  function table(key, f) {
    var t = tables.get(key);
    if (!t) {
      t = new Float64Array(TABLE_POINTS);
      for (var k = 0; k < TABLE_POINTS; k++) t[k] = f(-TABLE_Z + 2 * TABLE_Z * k / (TABLE_POINTS - 1));
      tables.set(key, t);
    }
    return t;
  }
  function interp(t, z) {
    var pos = (z + TABLE_Z) * (TABLE_POINTS - 1) / (2 * TABLE_Z);
    pos = Math.min(Math.max(pos, 0), TABLE_POINTS - 1.000001);
    var i = Math.floor(pos);
    return t[i] + (t[i + 1] - t[i]) * (pos - i);
  }
  // A factor's values from normal scores: {kind: "beta", a, b} | {kind: "lognormal", mu, sigma} |
  // {kind: "uniform", lo, hi} | {kind: "dirichlet", alpha: [...]}; returns a number or an array.
  function fromNormal(f, z) {
    if (f.kind === "lognormal") return Math.exp(f.mu + f.sigma * z);
    if (f.kind === "uniform") return f.lo + (f.hi - f.lo) * clipU(Phi(z));
    if (f.kind === "beta") {
      var t = table("b" + f.a + "," + f.b, function (x) { return betaLogit(f.a, f.b, x); });
      return 1 / (1 + Math.exp(-interp(t, z)));
    }
    var g = f.alpha.map(function (a, k) {
      if (!(a > 0)) return 0;
      var tg = table("g" + a, function (x) { return Math.log(Math.max(gammaQuantile(a, clipU(Phi(x))), 1e-300)); });
      return Math.exp(interp(tg, z[k]));
    });
    var tot = g.reduce(function (s, x) { return s + x; }, 0);
    return g.map(function (x) { return x / tot; });
  }
  function latentCorrelation(rho) { return 2 * Math.sin(Math.PI * rho / 6); }

  // ------------------------------------------------------------------ random numbers
  function rng(seed) {                // mulberry32: the same draws for the same settings
    return function () {
      seed |= 0; seed = seed + 0x6D2B79F5 | 0;
      var t = Math.imul(seed ^ seed >>> 15, 1 | seed);
      t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t;
      return ((t ^ t >>> 14) >>> 0) / 4294967296;
    };
  }
  function normal(u) { return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()); }

  // Latent scores of one draw for factors with these dims and signs (Python's copula_units): a shared
  // score Z (one per group when ``groups`` gives each factor's: the map's parts), and each coordinate's own
  // score e; returns [independent, correlated], both from the same e.
  function scores(u, dims, signs, r, groups) {
    var shared = [], ind = [], cor = [], k = 0, own = Math.sqrt(Math.max(1 - r, 0)), lean = Math.sqrt(r);
    dims.forEach(function (d, i) {
      var e = [], gi = groups ? groups[i] : 0;
      if (shared[gi] === undefined) shared[gi] = normal(u);
      for (var j = 0; j < d; j++) e.push(normal(u));
      ind.push(d === 1 ? e[0] : e);
      var s = signs[i], z = shared[gi];
      var c = e.map(function (x) { return s ? s * lean * z + own * x : x; });
      cor.push(d === 1 ? c[0] : c);
      k += d;
    });
    return [ind, cor];
  }

  return { lgamma: lgamma, Phi: Phi, betai: betai, betaQuantile: betaQuantile, gammp: gammp, gammaQuantile: gammaQuantile,
           betaLogit: betaLogit, fromNormal: fromNormal, latentCorrelation: latentCorrelation, rng: rng, normal: normal,
           scores: scores };
})();
