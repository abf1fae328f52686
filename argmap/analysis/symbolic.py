"""P(target) as an exact formula in root credences (sympy), with LaTeX output for posts.

A marginal of a Bayesian network is multilinear in the root credences: linear in each binary
root's P(true), and linear in the state probabilities of a categorical root. So P(target, evidence)
is fixed exactly by its values at the corners (each binary root at 0 or 1, each categorical root at
one of its states), which the batched engine computes in one call; the formula is the sum over
corners of the corner's value times its weight (p or 1 − p, or p_state), expanded by sympy. With
evidence, P(target | evidence) is the ratio of two such polynomials.

For a large map, only the roots that move P(target) most stay symbolic (the others enter as their
numbers), and long polynomials are split into named sub-terms by their leading symbol, so each
line fits. Nothing from a file is ever parsed by sympy: symbols are built with
:class:`sympy.Symbol` from abbreviated claim ids, and numbers come from the engine's floats.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import field
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from ..api import DEFAULT, Model
from ..base.errors import QueryError
from ..base.records import dataclass
from ..inference.network import relevant_claims

if TYPE_CHECKING:
    import sympy

__all__ = ["Formula", "FormulaNumbers", "probability_formula", "formula_numbers", "formula_from", "abbreviations",
           "MAX_SYMBOLS", "LINE_LIMIT"]

MAX_SYMBOLS = 4
"""Default number of root credences kept symbolic for a large map (the ones that move P(target) most)."""
LINE_LIMIT = 80
"""A right-hand side longer than about this many printed characters is split into named sub-terms."""


@dataclass
class Formula:
    """P(target = true) = ``expr``, where ``definitions`` name sub-terms (each in later symbols).

    ``roots`` maps each symbol to (claim, state or None, value); ``names`` maps symbols to LaTeX;
    ``fixed`` lists the relevant root claims entered as numbers.
    """

    target: str
    expr: sympy.Expr
    definitions: list = field(default_factory=list)
    roots: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)
    fixed: tuple = ()
    value: float = float("nan")

    def full(self):
        """The formula with every sub-term substituted: an expression in the root symbols only."""
        expr = self.expr
        for sym, definition in reversed(self.definitions):     # outer sub-terms were named last
            expr = expr.xreplace({sym: definition})
        return expr

    def evaluate(self, values: Mapping[str, float] | None = None) -> float:
        """P(target) at the map's credences, some replaced (keys ``claim`` or ``claim=state``)."""
        import sympy

        env = {}
        for sym, (claim, state, value) in self.roots.items():
            key = claim if state is None else f"{claim}={state}"
            env[sym] = sympy.Float((values or {}).get(key, value), 30)
        return float(self.full().xreplace(env))

    def latex(self, digits: int = 3) -> str:
        """A LaTeX ``aligned`` block: the formula, then ``where`` and one line per sub-term."""
        head = rf"P(\text{{{_tex_text(self.target)}}})"
        lines = [head + " &= " + self.tex(self.expr, digits)]
        lines += [self.names[s] + " &= " + self.tex(d, digits) for s, d in reversed(self.definitions)]
        if len(lines) == 1:
            return "\\begin{aligned}\n" + lines[0] + "\n\\end{aligned}"
        return ("\\begin{aligned}\n" + lines[0] + " \\\\[2pt]\n&\\text{where} \\\\\n"
                + " \\\\\n".join(lines[1:]) + "\n\\end{aligned}")

    def tex(self, expr, digits: int = 3) -> str:
        """LaTeX for one expression, numbers rounded to ``digits`` significant digits."""
        import sympy

        shown = expr.xreplace({n: sympy.Float(n, digits) for n in expr.atoms(sympy.Number) if not n.is_Integer})
        return sympy.latex(shown, symbol_names=self.names)

    def legend(self) -> list[tuple[str, str, str, float]]:
        """(LaTeX symbol, claim id, state or '', value) for every root symbol."""
        return [(self.names[s], c, st or "", v) for s, (c, st, v) in self.roots.items()]


def _tex_text(text: str) -> str:
    return re.sub(r"([_#%&$])", r"\\\1", text)


def abbreviations(ids: Iterable[str]) -> dict[str, str]:
    """Short, unique names for claim ids: initials of their words, or a single word's first three letters.

    >>> abbreviations(["beyond_episode_goals", "situational_awareness", "slack", "sa"])
    {'beyond_episode_goals': 'beg', 'situational_awareness': 'sa', 'slack': 'sla', 'sa': 'sa2'}
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for cid in ids:
        words = [w for w in cid.split("_") if w]
        base = "".join(w[0] for w in words) if len(words) > 1 else cid[:3]
        name, k = base, 2
        while name in used:
            name, k = f"{base}{k}", k + 1
        used.add(name)
        out[cid] = name
    return out


def _number(x: float):
    import sympy

    frac = Fraction(x).limit_denominator(10**6)
    if abs(float(frac) - x) < 1e-15:
        return sympy.Rational(frac.numerator, frac.denominator)
    return sympy.Float(x, 17)


def _relevant_roots(model: Model, target: str, given, set_) -> list[str]:
    net = model.network
    return [v for v in relevant_claims(net, [target], given, set_)
            if not net.parents[v] and v not in given and v not in set_]


def _top_roots(model: Model, roots: list[str], target, cond, k: int) -> list[str]:
    """The ``k`` roots whose credence moves P(target) most over [0, 1] (exact: P is linear in each)."""
    net = model.network
    swings = []
    for v in roots:
        idx = [i for i, p in enumerate(net.params) if p.claim == v and p.field == "credence"]
        corners = []
        for j in range(len(idx) if len(idx) > 1 else 2):
            th = net.theta0.copy()
            if len(idx) == 1:
                th[idx[0]] = float(j)
            else:
                th[idx] = 0.0
                th[idx[j]] = 1.0
            corners.append(th)
        p = model.engine.query(target, cond.evidence, cond.set, np.array(corners))[:, -1]
        swings.append((-(p.max() - p.min()), net.variables.index(v), v))
    return [v for _, _, v in sorted(swings)[:k]]


@dataclass(frozen=True)
class FormulaNumbers:
    """What a :class:`Formula` is built from, computed by the engine without sympy: the root symbols, in
    order, as ``(claim, state or None, value, symbol name, LaTeX name)``; each chosen root's symbols
    (``axes``: indices into ``roots``; a binary root's one symbol weighs its corners 1 − p and p, a
    categorical root's one per state); P(target, evidence) and P(evidence) at every corner, in the order of
    ``itertools.product`` over the axes (``evidence`` None without evidence); the roots entered as numbers;
    and P(target) at the map's numbers. Plain values only (:meth:`to_json`), so it can key a kept text."""

    target: str
    roots: tuple[tuple[str, str | None, float, str, str], ...]
    axes: tuple[tuple[int, ...], ...]
    joint: tuple[float, ...]
    evidence: tuple[float, ...] | None
    fixed: tuple[str, ...]
    value: float

    def to_json(self) -> list:
        return [self.target, [list(r) for r in self.roots], [list(a) for a in self.axes], list(self.joint),
                None if self.evidence is None else list(self.evidence), list(self.fixed), self.value]


def probability_formula(model: Model, target: str | None = None, given=None, set=None,
                        scenario: str | None = DEFAULT, symbols: Iterable[str] | None = None,
                        max_symbols: int = MAX_SYMBOLS) -> Formula:
    """P(target = true) under the conditions as a :class:`Formula` in root credences.

    ``symbols`` names the root claims to keep symbolic; by default every relevant root if there are
    at most ``max_symbols``, else the ``max_symbols`` that move P(target) most.

    >>> from argmap import Model
    >>> f = probability_formula(Model.load("tests/data/maps/tiny"), scenario=None)   # doctest: +SKIP
    >>> print(f.latex())                                                           # doctest: +SKIP
    """
    return formula_from(formula_numbers(model, target, given, set, scenario, symbols, max_symbols))


def formula_numbers(model: Model, target: str | None = None, given=None, set=None,
                    scenario: str | None = DEFAULT, symbols: Iterable[str] | None = None,
                    max_symbols: int = MAX_SYMBOLS) -> FormulaNumbers:
    """The numbers of :func:`probability_formula` (same arguments), from the engine alone (no sympy)."""
    target = target or model.map.target
    cond = model.conditions(given, set, scenario)
    net = model.network
    if target in cond.given or target in cond.set:
        raise QueryError(f"the target '{target}' is fixed by the conditions; its probability is not a formula")
    roots = _relevant_roots(model, target, cond.evidence, cond.set)
    if symbols is None:
        binary = [v for v in roots if net.states[v] == ("false", "true")]
        chosen = roots if len(roots) <= max_symbols else _top_roots(model, binary, target, cond, max_symbols)
    else:
        chosen = list(symbols)
        for c in chosen:
            if c not in roots:
                raise QueryError(f"'{c}' is not a root claim that P({target}) depends on under these conditions")
    chosen = [v for v in roots if v in chosen]             # map order
    abbr = abbreviations(chosen)
    syms: list[tuple[str, str | None, float, str, str]] = []
    axes: list[tuple[int, ...]] = []
    values: list[list[dict[int, float]]] = []              # per root: the parameter values of each corner
    for v in chosen:
        idx = [i for i, p in enumerate(net.params) if p.claim == v and p.field == "credence"]
        if len(idx) == 1:
            syms.append((v, None, float(net.theta0[idx[0]]), f"p_{abbr[v]}", rf"p_{{\mathrm{{{abbr[v]}}}}}"))
            axes.append((len(syms) - 1,))
            values.append([{idx[0]: 0.0}, {idx[0]: 1.0}])
        else:
            axis = []
            for i in idx:
                state = net.params[i].state or ""   # a categorical root's columns each name a state
                syms.append((v, state, float(net.theta0[i]), f"p_{abbr[v]}_{state}",
                             rf"p_{{\mathrm{{{abbr[v]}}}}}^{{\mathrm{{{_tex_text(state)}}}}}"))
                axis.append(len(syms) - 1)
            axes.append(tuple(axis))
            values.append([{k: float(k == i) for k in idx} for i in idx])
    corners = list(itertools.product(*values)) or [()]
    theta = np.repeat(net.theta0[None, :], len(corners), axis=0)
    for row, corner in enumerate(corners):
        for vals in corner:
            for i, x in vals.items():
                theta[row, i] = x
    state_true = net.states[target][-1]
    joint = np.atleast_1d(model.engine.joint_evidence({**cond.evidence, target: state_true}, cond.set, theta))
    evidence = (np.atleast_1d(model.engine.joint_evidence(cond.evidence, cond.set, theta))
                if cond.evidence else None)
    return FormulaNumbers(target, tuple(syms), tuple(axes), tuple(float(x) for x in joint),
                          None if evidence is None else tuple(float(x) for x in evidence),
                          tuple(v for v in roots if v not in chosen),
                          float(model.probability(target, cond.given, cond.set, scenario=None)))


def formula_from(numbers: FormulaNumbers) -> Formula:
    """The :class:`Formula` (sympy) of :func:`formula_numbers`'s numbers."""
    import sympy

    formula = Formula(numbers.target, sympy.Integer(0), fixed=numbers.fixed)
    symbol = []
    for claim, state, value, name, tex in numbers.roots:
        sym = sympy.Symbol(name)
        formula.roots[sym] = (claim, state, value)
        formula.names[sym] = tex
        symbol.append(sym)
    axes = [[1 - symbol[a[0]], symbol[a[0]]] if numbers.roots[a[0]][1] is None else [symbol[k] for k in a]
            for a in numbers.axes]
    corners = list(itertools.product(*axes)) or [()]

    def poly(values) -> object:
        total = sympy.Integer(0)
        for corner, val in zip(corners, values, strict=False):
            weight = sympy.Integer(1)
            for w in corner:
                weight = weight * w
            total += _number(float(val)) * weight
        return sympy.expand(total)

    numer = _on_simplex(poly(numbers.joint), formula)
    denom = _on_simplex(poly(numbers.evidence), formula) if numbers.evidence is not None else sympy.Integer(1)
    if denom.is_Number:
        formula.expr = _shorten(sympy.expand(numer / denom), formula, "A")
    else:
        formula.expr = _shorten(numer, formula, "N") / _shorten(denom, formula, "D")
    formula.value = numbers.value
    return _renumber(formula)


def _renumber(formula: Formula) -> Formula:
    """Number sub-terms in the order a reader meets them (the formula first, then each definition)."""
    import sympy

    defs = dict(formula.definitions)
    order: list = []

    def visit(expr):
        for sym in sorted(expr.free_symbols & set(defs), key=lambda s: _first_position(expr, s, formula)):
            if sym not in order:
                order.append(sym)

    visit(formula.expr)
    i = 0
    while i < len(order):
        visit(defs[order[i]])
        i += 1
    counts: dict[str, int] = {}
    rename = {}
    for sym in order:
        prefix = sym.name.split("_")[0]
        counts[prefix] = counts.get(prefix, 0) + 1
        new = sympy.Symbol(f"{prefix}_{counts[prefix]}")
        rename[sym] = new
        formula.names[new] = f"{prefix}_{{{counts[prefix]}}}"
    formula.expr = formula.expr.xreplace(rename)
    formula.definitions = [(rename[s], defs[s].xreplace(rename)) for s in reversed(order)]
    return formula


def _first_position(expr, sym, formula: Formula) -> int:
    import sympy

    tex = sympy.latex(expr, symbol_names=formula.names)
    pos = tex.find(formula.names[sym])
    return pos if pos >= 0 else len(tex)


def _on_simplex(expr, formula: Formula):
    """Use that a categorical root's state probabilities sum to one: its last state is 1 − the rest."""
    import sympy

    groups: dict[str, list] = {}
    for sym, (claim, state, _) in formula.roots.items():
        if state is not None:
            groups.setdefault(claim, []).append(sym)
    subs = {syms[-1]: 1 - sum(syms[:-1]) for syms in groups.values()}
    return sympy.expand(expr.xreplace(subs)) if subs else expr


def _shorten(expr, formula: Formula, name: str):
    """Split a long multilinear polynomial by its first symbol: ``A + B p`` (named ``A``, ``B``)."""
    import sympy

    expr = _tidy(expr)
    if _printed(expr, formula) <= LINE_LIMIT:
        return expr
    syms = [s for s in formula.roots if expr.has(s)]
    if not syms:
        return expr
    lead = syms[0]
    poly = sympy.Poly(expr, lead)
    parts = {m[0]: c for m, c in zip(poly.monoms(), poly.coeffs(), strict=False)}
    pieces = []
    for power in sorted(parts):
        short = _shorten(parts[power], formula, name)
        if _printed(short, formula) > 24 and not short.is_Symbol:
            short = _named(short, formula, name)
        pieces.append(short * lead**power)
    return sympy.Add(*pieces, evaluate=False)


def _named(expr, formula: Formula, prefix: str):
    """A symbol standing for ``expr`` (the same one for an expression already named)."""
    import sympy

    for sym, definition in formula.definitions:
        if definition == expr:
            return sym
    k = 1 + sum(1 for s, _ in formula.definitions if s.name.startswith(prefix + "_"))
    sym = sympy.Symbol(f"{prefix}_{k}")
    formula.definitions.append((sym, expr))
    formula.names[sym] = f"{prefix}_{{{k}}}"
    return sym


def _tidy(expr):
    """Factor an exact polynomial (e.g. ``p_a (p_b + 1) (9 p_c + 1) / 40``); pull common factors otherwise."""
    import sympy

    if expr.is_Number or expr.is_Symbol:
        return expr
    if not expr.atoms(sympy.Float):
        factored = sympy.factor(expr)
        small = all(abs(r.p) <= 100 and r.q <= 100 for r in factored.atoms(sympy.Rational))
        if small and sympy.count_ops(factored) < sympy.count_ops(expr):
            return factored
        return expr
    return expr


def _printed(expr, formula: Formula) -> int:
    """About how many characters ``expr`` takes once typeset (LaTeX commands and braces dropped)."""
    import sympy

    tex = sympy.latex(expr, symbol_names=formula.names)
    return len(re.sub(r"\\[a-zA-Z]+|[{}^_ ]", "", tex))


