"""Every CPT of a network computed at once from a batch of parameter vectors.

The CPT builders in :mod:`argmap.inference.network` are clear but run one small numpy expression per claim,
which dominates sweeps and Monte Carlo. A :class:`Program` holds the same formulas as flat index
arrays, so filling all CPT entries for a batch is a handful of vectorised gathers whatever the number
of claims. It works **batch-last**: ``theta_t`` has shape ``(P, B)`` and the result is one flat array
of shape ``(cells, B)``; each claim's CPT is a view of it shaped ``(*parent cards, card, B)``. Batch
last keeps the innermost loops of the engine's einsums long and contiguous.

Cell formulas (the same as the builders'):

* a copied entry: ``cpt = θ[k]`` (categorical roots and tables);
* a binary direct entry: ``P(true) = θ[k]``, ``P(false) = 1 − θ[k]`` (binary roots and tables);
* a composed binary entry: ``P(true) = expit(logit b' + Σ log θ_ratio · θ_scale) · Π θ_leak``, where
  ``b'`` is the noisy-OR of the base and the active routes, ``1 − b' = (1 − b) · Π (1 − θ_p) ** θ_scale``;
  the base ``b`` is ``θ_base``, or the cell's row of an explicit table (its parameter varies along the
  table's axes), and an absent base means 1, an absent scale 1 and an absent leak 0. It is computed as
  odds, ``u = b' · Π θ_ratio ** θ_scale`` and ``P = u / (u + 1 − b')``, which needs no exp or log for
  unmodulated relations and keeps the limits 0 and 1 exact (a cell with no route uses ``b`` itself,
  never ``1 − (1 − b)``). When a batch's ratios could make that product overflow or underflow
  (:data:`LOG_SAFE`), the same formula is evaluated in log space (``expit(ln b' + Σ scale·ln ratio −
  ln(1 − b'))``), so no ratio the loader accepts gives NaN.

A composed claim is described by a :class:`Composed` spec (its base or table, one :class:`Term` per
relation and per route, and one :class:`Leak` per requirement, each a per-state vector along one parent axis), and the
program's index arrays are built from it with numpy a chunk at a time: a claim with 20 parents is
indexed in about a second, never one Python step per cell.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import field

import numpy as np

from ..base.records import dataclass

__all__ = ["Term", "Leak", "Composed", "VarSpec", "Program", "build_program", "LOG_SAFE", "expit"]

LOG_SAFE = 600.0
"""Largest Σ|ln ratio^scale| of one cell computed as a plain product; beyond it (or with a base below
e^-100) odds could overflow or underflow, so :meth:`Program.run` adds logarithms instead."""
_CHUNK = 1 << 15                   # formulas or cells indexed at a time (bounds the working memory)


@dataclass(frozen=True)
class Term:
    """A relation's factor in a composed CPT: active in the cells where the source (CPT axis ``axis``)
    is in a state flagged in ``active``; its ratio parameter raised, when modulated, to the product of
    each modulator's scale parameter for its state: ``mods`` holds (modulator's CPT axis, scale
    parameter per state) per modulator."""

    ratio: int
    axis: int
    active: tuple[bool, ...]
    mods: tuple[tuple[int, tuple[int, ...]], ...] = ()


@dataclass(frozen=True)
class Leak:
    """A requirement: in the cells where the required claim (axis ``axis``) is in an ``unmet`` state,
    P(true) is multiplied by the leak parameter ``param`` (-1: no leak, factor 0)."""

    param: int
    axis: int
    unmet: tuple[bool, ...]


@dataclass(frozen=True)
class Composed:
    """A composed binary CPT as a few per-axis vectors instead of one formula per cell, so a claim
    with 20 parents (2^20 cells) is described in a few hundred bytes and indexed with numpy."""

    base: int                      # base parameter, or -1: P(true) = 1 before the leaks (or: ``table``)
    terms: tuple[Term, ...] = ()
    leaks: tuple[Leak, ...] = ()
    routes: tuple[Term, ...] = ()
    """Routes (noisy-OR): a :class:`Term` whose ``ratio`` is the route's p parameter; where it is active the
    chance that nothing brings the claim about is multiplied by ``(1 − p) ** (Π scale)``."""
    table: tuple[tuple[int, ...], tuple[int, ...]] | None = None
    """An explicit table as the cells' bases: (its parents' CPT axes, a P(true) parameter per row, C order)."""

    def bases(self, pshape: tuple[int, ...], cells: np.ndarray) -> np.ndarray:
        """The base parameter of each of ``cells`` (flat C-order offsets over the parent states of shape
        ``pshape``): the table row's parameter, or the one base (-1: none, P = 1 before the leaks)."""
        if self.table is None:
            return np.full(cells.shape, self.base, dtype=np.intp)
        axes, params = self.table
        strides = _strides(pshape)
        row = np.zeros(cells.shape, dtype=np.intp)
        for a in axes:
            row = row * pshape[a] + (cells // strides[a]) % pshape[a]
        return np.asarray(params, dtype=np.intp)[row]


@dataclass
class VarSpec:
    """One claim's CPT as cell formulas; positions are flat offsets into its own table."""

    shape: tuple[int, ...]                                   # (*parent cards, card)
    copy: list[tuple[int, int]] = field(default_factory=list)           # (pos, param)
    direct: list[tuple[int, int, int]] = field(default_factory=list)    # (true pos, false pos, param)
    composed: Composed | None = None                                    # binary claims with relations

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def composed_cells(self) -> list[tuple[int, int, int, tuple, tuple, tuple]]:
        """The composed CPT one cell at a time (for exports such as the explorer page; the program never
        uses it): ``(true pos, false pos, base or -1, terms, leaks, routes)`` per cell in C order, where the
        base is the cell's own (a table row's parameter where the claim has a table), terms are the active
        relations as ``(ratio, -1)`` or ``(ratio, scale per modulator...)``, leaks the unmet requirements'
        leak parameters (-1: no leak) and routes the active routes as ``(p, -1)`` or ``(p, scale...)``."""
        c = self.composed
        if c is None:
            return []
        pshape = self.shape[:-1]
        bases = c.bases(pshape, np.arange(math.prod(pshape)))

        def active(ts: tuple[Term, ...], idx: tuple[int, ...]) -> tuple:
            return tuple((t.ratio, *(sc[idx[a]] for a, sc in t.mods)) if t.mods else (t.ratio, -1)
                         for t in ts if t.active[idx[t.axis]])
        out = []
        for cell, idx in enumerate(itertools.product(*(range(n) for n in pshape))):
            leaks = tuple(lk.param for lk in c.leaks if lk.unmet[idx[lk.axis]])
            out.append((2 * cell + 1, 2 * cell, int(bases[cell]), active(c.terms, idx), leaks, active(c.routes, idx)))
        return out

    def params(self) -> set[int]:
        """Every parameter some cell of this CPT reads."""
        out = {k for _, k in self.copy} | {k for _, _, k in self.direct}
        c = self.composed
        if c is not None:
            out |= {c.base} | set(c.table[1] if c.table else ())
            for t in c.terms + c.routes:
                out |= {t.ratio} | {k for _, sc in t.mods for k in sc}
            out |= {lk.param for lk in c.leaks}
        out.discard(-1)
        return out


@dataclass(frozen=True)
class Program:
    """Index arrays that fill the CPTs of a set of claims for a batch of parameter vectors.

    Cells live in three blocks: ``copy`` (categorical claims, laid out as their CPTs), ``direct``
    and ``composed`` (binary claims, shape ``(2, cells, B)``: P(false), then P(true)). A claim's
    CPT is a strided view of its block, never a copy. A composed cell's odds depend on its base and
    active relations only, so cells that differ only in which requirements hold share one formula:
    the distinct formulas are computed once (ordered most relations first, so each pass over
    relations is a prefix slice), gathered into the cells, and multiplied by the unmet leaks.

    Every field is a plain integer array (or a tuple of them), so a program can be serialised as
    JSON and evaluated elsewhere: rows of θ index ``theta_t``; rows ``P + j`` of the *extended* θ
    are ``θ[pair_ratio[j]] ** Π_k θ[pair_scale[j, k]]`` (index P in ``pair_scale`` pads: a row of ones).
    Routes read the *route* θ: row k is ``1 − θ[k]``, row ``P + j`` is ``(1 − θ[route_pair_p[j]]) **
    Π_k θ[route_pair_scale[j, k]]``; each route pass multiplies the chance that nothing brings the claim
    about (``1 − b``) in its formula rows, and the ``routed`` rows then take ``b' = 1 − that``.
    """

    views: dict[str, tuple[str, int, int, tuple[int, ...]]]   # claim -> (block, start, stop, CPT shape)
    size: int
    copy_par: np.ndarray
    dir_par: np.ndarray
    n_comp: int
    base_par: np.ndarray            # base parameter of each distinct odds formula (most relations first)
    term_passes: tuple              # (prefix length, rows of the extended θ: ratios, then ratio^scale pairs)
    pair_ratio: np.ndarray          # the distinct (ratio, scales) of modulated relations
    pair_scale: np.ndarray          # (pairs, most modulators): scale params, padded with P (a row of ones)
    formula: np.ndarray             # per composed cell: its formula's row (the last row: no base, P = 1)
    leak_passes: tuple              # (cells, leak params, rows with no leak: factor 0)
    ratio_par: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp))   # unmodulated ratios used
    route_passes: tuple = ()        # (formula rows, rows of the route θ: 1 − θ, then (1 − p)^scale pairs)
    route_pair_p: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp))
    route_pair_scale: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.intp))
    routed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp))   # formula rows with a route

    def run(self, theta_t: np.ndarray) -> dict[str, np.ndarray]:
        """Fill every cell from ``theta_t`` of shape ``(P, B)``; returns the blocks."""
        bsz = theta_t.shape[1]
        blocks = {"copy": np.take(theta_t, self.copy_par, axis=0)}
        # (mode="clip" lets take write straight into a contiguous out; every index is valid anyway)
        d = np.empty((2, self.dir_par.size, bsz))
        np.take(theta_t, self.dir_par, axis=0, out=d[1], mode="clip")
        np.subtract(1.0, d[1], out=d[0])
        blocks["direct"] = d
        c = np.empty((2, self.n_comp, bsz))
        if self.n_comp:
            np.take(self._formulas(theta_t, bsz), self.formula, axis=0, out=c[1], mode="clip")
            for cells, par, zero in self.leak_passes:      # unmet requirements: P × leak
                x = np.take(theta_t, par, axis=0)
                if zero.size:
                    x[zero] = 0.0
                c[1][cells] *= x
            np.subtract(1.0, c[1], out=c[0])
        blocks["composed"] = c
        return blocks

    def _formulas(self, theta_t: np.ndarray, bsz: int) -> np.ndarray:
        # the builders' expit(logit b' + Σ log ratio·scale), computed multiplicatively: with
        # u = b' · Π ratio^scale, P(true) = u / (u + 1 - b') (no exp or log unless a relation is modulated).
        # Cells that differ only in which requirements are met share one formula, computed once.
        # When the product could overflow or underflow (see LOG_SAFE), logarithms are added instead.
        nb = self.base_par.size
        p = np.empty((nb + 1, bsz))
        u = p[:nb]
        p[nb:] = 1.0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            np.take(theta_t, self.base_par, axis=0, out=u, mode="clip")
            den = 1.0 - u                   # the chance that nothing brings the claim about: 1 - b'
            if self.route_passes:
                self._routes(theta_t, u, den)
            if self.term_passes and not self._product_safe(theta_t, u):
                self._log_formulas(theta_t, u, den)
                return p
            ext = theta_t
            if self.pair_ratio.size:    # each modulated ratio^scale once, however many cells use it
                ext = np.concatenate([theta_t, theta_t[self.pair_ratio] ** self._exponents(theta_t)])
            for n, par in self.term_passes:
                u[:n] *= np.take(ext, par, axis=0)
            den += u
            u /= den
        return p

    def _routes(self, theta_t: np.ndarray, u: np.ndarray, fail: np.ndarray) -> None:
        """Noisy-OR: ``fail`` (1 − b on entry) times (1 − p)^scale of each active route; then b' = 1 − fail
        in the formulas with a route (the others keep b itself)."""
        ext = 1.0 - theta_t
        if self.route_pair_p.size:
            ext = np.concatenate([ext, ext[self.route_pair_p] ** self._exponents(theta_t, self.route_pair_scale)])
        for rows, par in self.route_passes:
            fail[rows] *= np.take(ext, par, axis=0)
        u[self.routed] = 1.0 - fail[self.routed]

    def _exponents(self, theta_t: np.ndarray, scales: np.ndarray | None = None) -> np.ndarray:
        """Each pair's exponent: the product of its modulators' scales (padding rows index a row of ones)."""
        padded = np.concatenate([theta_t, np.ones((1, theta_t.shape[1]))])
        return np.prod(padded[self.pair_scale if scales is None else scales], axis=1)

    def _product_safe(self, theta_t: np.ndarray, base: np.ndarray) -> bool:
        """Whether b · Π ratio^scale stays within floating point for every cell of this batch."""
        big = 0.0
        if self.ratio_par.size:         # max |ln x| is at the smallest or the largest ratio: two logs, not one each
            ratios = np.take(theta_t, self.ratio_par, axis=0)
            big = max(abs(math.log(r)) if r > 0 else math.inf for r in (float(ratios.min()), float(ratios.max())))
        if self.pair_ratio.size:
            big = max(big, float(np.abs(self._exponents(theta_t) * np.log(theta_t[self.pair_ratio])).max()))
        small = float(np.min(base, where=base > 0, initial=1.0)) if base.size else 1.0
        return big * len(self.term_passes) <= LOG_SAFE and small >= math.exp(-100)

    def _log_formulas(self, theta_t: np.ndarray, u: np.ndarray, fail: np.ndarray) -> None:
        """``u`` (b' on entry) becomes P(true) = expit(ln b' + Σ scale·ln ratio − ln(1 − b'))."""
        logs = np.log(theta_t)
        if self.pair_ratio.size:
            logs = np.concatenate([logs, self._exponents(theta_t) * logs[self.pair_ratio]])
        z = -np.log1p(-u)
        if self.routed.size:
            z[self.routed] = -np.log(fail[self.routed])
        lu = np.log(u)
        for n, par in self.term_passes:
            lu[:n] += np.take(logs, par, axis=0)
        z += lu                     # finite terms (ratios and scales are bounded), so never inf - inf
        np.copyto(u, expit(z))

    def tables(self, blocks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Each claim's CPT as a view into the blocks: shape ``(*parent cards, card, B)``."""
        bsz = (blocks["copy"].shape[-1],)
        out = {}
        for v, (block, start, stop, shape) in self.views.items():
            if block == "copy":
                out[v] = blocks["copy"][start:stop].reshape(shape + bsz)
            else:      # (2, *parents, B) -> (*parents, 2, B)
                k = len(shape) - 1
                out[v] = blocks[block][:, start:stop].reshape((2,) + shape[:-1] + bsz).transpose(
                    tuple(range(1, k + 1)) + (0, k + 1))
        return out


def expit(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z) without overflow; ±inf give 1 and 0."""
    out = np.empty_like(z)
    pos = z >= 0
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        ez = np.exp(z[~pos])
        out[~pos] = ez / (1.0 + ez)
    return out


def _arr(values) -> np.ndarray:
    return np.asarray(list(values), dtype=np.intp)


def _distinct(a: np.ndarray) -> np.ndarray:
    """``np.unique(a)`` for an integer array, without np.unique's masked-array check (which imports
    numpy.ma, a tenth of a cold ``argmap run``'s imports)."""
    a = np.sort(a)
    return a[np.concatenate(([True], a[1:] != a[:-1]))] if a.size else a


def build_program(specs: Mapping[str, VarSpec], names: Iterable[str], n_params: int) -> Program:
    """Lay out the cells of ``names`` in blocks and index them into one :class:`Program`."""
    views = {}
    copy_par: list[int] = []
    dir_par: list[int] = []
    comp: list[tuple[int, Composed, tuple[int, ...]]] = []    # (first cell, formula, parent cards)
    n_comp = 0
    size = 0
    for v in names:
        s = specs[v]
        size += s.size
        if s.composed is not None:
            n = s.size // 2
            views[v] = ("composed", n_comp, n_comp + n, s.shape)
            comp.append((n_comp, s.composed, s.shape[:-1]))
            n_comp += n
        elif s.copy:
            views[v] = ("copy", len(copy_par), len(copy_par) + s.size, s.shape)
            vals = [0] * s.size
            for pos, k in s.copy:
                vals[pos] = k
            copy_par += vals
        else:
            views[v] = ("direct", len(dir_par), len(dir_par) + s.size // 2, s.shape)
            vals = [0] * (s.size // 2)
            for t, _f, k in s.direct:
                vals[t // 2] = k
            dir_par += vals
    layout = _Layout(comp, n_comp, n_params)
    return Program(views, size, _arr(copy_par), _arr(dir_par), n_comp, layout.base_par,
                   layout.term_passes, _arr(t[0] for t in layout.pairs), _scales(list(layout.pairs), n_params),
                   layout.formula, layout.leak_passes, _distinct(_arr(layout.ratios)),
                   layout.route_passes, _arr(t[0] for t in layout.route_pairs),
                   _scales(list(layout.route_pairs), n_params), layout.routed)


def _along(ndim: int, axis: int, values: np.ndarray) -> np.ndarray:
    """``values`` shaped to broadcast along ``axis`` of an ``ndim``-dimensional table."""
    shape = [1] * ndim
    shape[axis] = -1
    return np.asarray(values).reshape(shape)


def _strides(shape: tuple[int, ...]) -> list[int]:
    out = [1] * len(shape)
    for i in range(len(shape) - 2, -1, -1):
        out[i] = out[i + 1] * shape[i + 1]
    return out


class _Layout:
    """The composed block's index arrays, built with numpy a chunk at a time (never one Python step
    per cell): each claim's cells are grouped into distinct formulas by a code over its terms."""

    def __init__(self, comp: list[tuple[int, Composed, tuple[int, ...]]], n_comp: int, n_params: int):
        self.n_params = n_params
        self.pairs: dict[tuple[int, ...], int] = {}     # (ratio, scale per modulator) -> pair row
        self.route_pairs: dict[tuple[int, ...], int] = {}   # (p, scale per modulator) -> route pair row
        self.ratios: list[int] = []
        formula = np.empty(n_comp, dtype=np.intp)
        f_len, f_owner, f_rep, f_base, first = [], [], [], [], 0
        starts: dict[int, int] = {}                     # claim -> its first formula (before ordering)
        shapes: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}   # claims of one shape share these
        for ci, (off, c, pshape) in enumerate(comp):
            ncell = math.prod(pshape)
            if c.base < 0 and c.table is None:
                formula[off:off + ncell] = -1
                continue
            key = _shape(c, pshape)
            known = shapes.get(key)
            if known is None:
                inv, rep = self._formulas_of(c, pshape)
                length = np.zeros(pshape, dtype=np.int16)             # active relations per cell
                for t in c.terms:
                    length += _along(len(pshape), t.axis, np.asarray(t.active, dtype=np.int16))
                known = shapes[key] = (inv, rep, length.reshape(-1)[rep])
            inv, rep, flen = known
            formula[off:off + ncell] = inv + first
            starts[ci] = first
            first += rep.size
            f_len.append(flen)
            f_owner.append(np.full(rep.size, ci, dtype=np.int32))
            f_rep.append(rep)
            f_base.append(c.bases(pshape, rep.astype(np.intp)))
        lengths = np.concatenate(f_len) if f_len else np.zeros(0, dtype=np.int16)
        order = np.argsort(-lengths, kind="stable")            # most relations first
        row = np.empty_like(order)
        row[order] = np.arange(order.size)
        with_base = formula >= 0
        formula[with_base] = row[formula[with_base]]
        formula[~with_base] = order.size                        # the last row: no base, P = 1
        del with_base
        self.formula = formula
        owner = np.concatenate(f_owner)[order] if f_owner else np.zeros(0, dtype=np.int32)
        self.base_par = np.concatenate(f_base)[order] if f_base else np.zeros(0, dtype=np.intp)
        self.term_passes = self._term_passes(comp, lengths[order], owner,
                                             np.concatenate(f_rep)[order] if f_rep else owner)
        self.leak_passes = self._leak_passes(comp)
        self.route_passes, self.routed = self._route_passes(comp, starts, f_rep, row)

    def _route_passes(self, comp, starts: dict[int, int], f_rep: list[np.ndarray], row: np.ndarray):
        """Pass j holds, for the j-th route of every claim, the formula rows where it is active and its
        route-θ row there (``1 − p``, or a ``(1 − p)^scale`` pair); and every formula row with a route."""
        pieces: list[list[tuple[np.ndarray, np.ndarray]]] = []
        reps = iter(f_rep)
        for ci, (_, c, pshape) in enumerate(comp):
            if ci not in starts:
                continue
            rep = next(reps).astype(np.intp)
            strides = _strides(pshape)
            for j, t in enumerate(c.routes):
                on = np.flatnonzero(np.asarray(t.active)[(rep // strides[t.axis]) % pshape[t.axis]])
                if len(pieces) <= j:
                    pieces.append([])
                pieces[j].append((row[starts[ci] + on].astype(np.int32),      # int32, as the term passes:
                                  _as_rows(self._ext(t, rep[on], pshape, strides, True), on.size)))  # half the memory
        passes = tuple((ps[0][0], ps[0][1]) if len(ps) == 1 else
                       (np.concatenate([a for a, _ in ps]), np.concatenate([b for _, b in ps])) for ps in pieces)
        has_route = np.zeros(row.size, dtype=bool)
        for rows, _ in passes:
            has_route[rows] = True
        return passes, np.flatnonzero(has_route).astype(np.intp)

    @staticmethod
    def _formulas_of(c: Composed, pshape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Per cell, its formula's index among the claim's distinct formulas; and one cell of each."""
        nd = len(pshape)
        code = np.zeros(pshape, dtype=np.int64)
        radix = 1
        digits: list[tuple[np.ndarray, int]] = [                # a table's rows: one base per row
            (_along(nd, a, np.arange(pshape[a], dtype=np.int64)), pshape[a]) for a in (c.table[0] if c.table else ())]
        for t in c.terms + c.routes:
            digit = _along(nd, t.axis, np.asarray(t.active, dtype=np.int64))
            k = 2
            if t.mods:                                          # 1 + the modulators' joint state
                joint, n = np.zeros((1,) * nd, dtype=np.int64), 1
                for axis, scales in t.mods:
                    joint = joint * len(scales) + _along(nd, axis, np.arange(len(scales)))
                    n *= len(scales)
                digit = digit * (joint + 1)
                k = n + 1
            digits.append((digit, k))
        for digit, k in digits:
            if radix * k >= 1 << 62:                            # renumber before the code overflows
                code = np.unique(code, return_inverse=True)[1].reshape(pshape).astype(np.int64)
                radix = int(code.max()) + 1
            code += digit * radix
            radix *= k
        _, rep, inv = np.unique(code.reshape(-1), return_index=True, return_inverse=True)
        return inv.reshape(-1), rep.astype(np.int32)

    def _ext(self, t: Term, cells: np.ndarray, pshape: tuple[int, ...], strides: list[int],
             route: bool = False) -> np.ndarray | int:
        """The extended-θ row of term ``t`` in each of ``cells`` (a ratio, or a ratio^scale pair); for a
        route, its route-θ row (``1 − p``, or a ``(1 − p)^scale`` pair)."""
        if not t.mods:
            if not route:
                self.ratios.append(t.ratio)
            return t.ratio
        pairs = self.route_pairs if route else self.pairs
        ids = _arr(self.n_params + pairs.setdefault((t.ratio, *combo), len(pairs))
                   for combo in itertools.product(*(scales for _, scales in t.mods)))
        joint = np.zeros(cells.size, dtype=np.intp)
        for axis, scales in t.mods:                          # the cells' joint modulator state
            joint = joint * len(scales) + (cells // strides[axis]) % pshape[axis]
        return ids[joint]

    def _term_passes(self, comp, lengths: np.ndarray, owner: np.ndarray, rep: np.ndarray) -> tuple:
        """Pass k holds, for each formula with more than k relations (a prefix: most relations first),
        the extended-θ row of its k-th active relation. Built a chunk of formulas at a time: a matrix of
        (formula, relation) rows masked by activity, read in formula-major order."""
        if not lengths.size or lengths[0] == 0:
            return ()
        width = int(lengths[0])
        counts = [int((lengths > k).sum()) for k in range(width)]
        passes = [np.empty(n, dtype=np.int32) for n in counts]     # int32: half the memory of a wide fan-in
        table = _term_table(comp, _distinct(owner[:counts[0]]), width)
        if table is not None:
            self.ratios += table[4]
        for a in range(0, counts[0], _CHUNK):
            b = min(counts[0], a + _CHUNK)
            ext = np.zeros((b - a, width), dtype=np.intp)
            act = np.zeros((b - a, width), dtype=bool)
            if table is not None:                                   # every claim's terms at once: their
                stride, card, bits, ratio, _, modded = table        # state's digit, active or not, ratio
                own, cells = owner[a:b], rep[a:b]
                for j in range(width):
                    act[:, j] = (bits[own, j] >> ((cells // stride[own, j]) % card[own, j])) & 1
                    ext[:, j] = ratio[own, j]
            runs = np.flatnonzero(np.diff(owner[a:b])) + 1          # formulas of one claim are contiguous runs
            for p0, p1 in zip(np.r_[0, runs], np.r_[runs, b - a], strict=True):
                ci = int(owner[a + p0])
                if table is not None and not modded[ci]:
                    continue                                        # done above; modulated ones in order here
                _, c, pshape = comp[ci]
                strides = _strides(pshape)
                cells = rep[a + p0:a + p1]
                for j, t in enumerate(c.terms):
                    act[p0:p1, j] = np.asarray(t.active)[(cells // strides[t.axis]) % pshape[t.axis]]
                    ext[p0:p1, j] = self._ext(t, cells, pshape, strides)
            flat = ext[act]                                     # each formula's active rows, in order
            n = lengths[a:b].astype(np.intp)
            start = np.cumsum(n) - n
            for k in range(width):
                nk = min(counts[k], b) - a
                if nk <= 0:
                    break
                passes[k][a:a + nk] = flat[start[:nk] + k]
        return tuple((n, p) for n, p in zip(counts, passes, strict=True))

    @staticmethod
    def _leak_passes(comp) -> tuple:
        """Pass k holds, for every composed cell with more than k unmet requirements, its k-th one's leak
        parameter. Claims of one shape (parent cards, requirements' axes and unmet states) share the work:
        which cells have which requirement unmet is found once per shape, a chunk of cells at a time."""
        groups: dict[tuple, tuple[list[int], list[tuple[int, ...]]]] = {}
        for off, c, pshape in comp:
            if c.leaks:
                offs, pars = groups.setdefault((pshape, tuple((lk.axis, lk.unmet) for lk in c.leaks)), ([], []))
                offs.append(off)
                pars.append(tuple(lk.param for lk in c.leaks))
        pieces: list[list[tuple[np.ndarray, np.ndarray]]] = []
        for (pshape, leaks), (offs, pars) in groups.items():
            first = np.asarray(offs, dtype=np.intp)[:, None]
            params = np.asarray(pars, dtype=np.intp)                  # (claims, requirements)
            strides = _strides(pshape)
            ncell = math.prod(pshape)
            for a in range(0, ncell, _CHUNK):
                cells = np.arange(a, min(ncell, a + _CHUNK))
                cnt = np.zeros(cells.size, dtype=np.intp)
                which = np.empty((len(leaks), cells.size), dtype=np.intp)
                for j, (axis, unmet) in enumerate(leaks):
                    on = np.flatnonzero(np.asarray(unmet)[(cells // strides[axis]) % pshape[axis]])
                    which[cnt[on], on] = j
                    cnt[on] += 1
                for k in range(int(cnt.max(initial=0))):
                    if len(pieces) <= k:
                        pieces.append([])
                    sel = np.flatnonzero(cnt > k)
                    pieces[k].append(((first + (sel + a)).reshape(-1), params[:, which[k, sel]].reshape(-1)))
        passes = []
        for parts in pieces:
            cells = np.concatenate([p[0] for p in parts])
            par = np.concatenate([p[1] for p in parts])
            if len(parts) > 1:                  # in cell order, as claims and cells come
                order = np.argsort(cells, kind="stable")
                cells, par = cells[order], par[order]
            zero = np.flatnonzero(par < 0)
            par[zero] = 0
            passes.append((cells, par, zero))
        return tuple(passes)


def _term_table(comp, claims: np.ndarray, width: int) -> tuple | None:
    """Per claim of ``comp`` and term slot: the stride and card of the term's axis, its active states as
    bits, its ratio (unmodulated terms); the ratios of the ``claims`` listed, and which claims have a
    modulated term (their extended rows are made in order, by :meth:`_Layout._ext`). None where a
    parent has more states than bits."""
    n = len(comp)
    stride = np.ones((n, width), dtype=np.intp)
    card = np.ones((n, width), dtype=np.intp)
    bits = np.zeros((n, width), dtype=np.int64)
    ratio = np.zeros((n, width), dtype=np.intp)
    modded = np.zeros(n, dtype=bool)
    ratios: list[int] = []
    for ci in claims.tolist():
        _, c, pshape = comp[ci]
        strides = _strides(pshape)
        for j, t in enumerate(c.terms):
            if len(t.active) > 62:
                return None
            stride[ci, j], card[ci, j] = strides[t.axis], pshape[t.axis]
            bits[ci, j] = sum(1 << s for s, on in enumerate(t.active) if on)
            if t.mods:
                modded[ci] = True
            else:
                ratio[ci, j] = t.ratio
                ratios.append(t.ratio)
    return stride, card, bits, ratio, ratios, modded


def _shape(c: Composed, pshape: tuple[int, ...]) -> tuple:
    """What a composed claim's distinct formulas depend on (not its parameters): its parents' cards, its
    table's axes, and each relation's and route's axis, active states and modulators' axes and cards."""
    def terms(ts: tuple[Term, ...]) -> tuple:
        return tuple((t.axis, t.active, tuple((a, len(sc)) for a, sc in t.mods)) for t in ts)
    return pshape, c.table[0] if c.table else None, terms(c.terms), terms(c.routes)


def _as_rows(ext: np.ndarray | int, n: int) -> np.ndarray:
    return np.full(n, ext, dtype=np.int32) if isinstance(ext, int) else np.asarray(ext, dtype=np.int32)


def _scales(pairs: list[tuple[int, ...]], n_params: int) -> np.ndarray:
    width = max((len(t) - 1 for t in pairs), default=1)
    rows = [list(t[1:]) + [n_params] * (width - len(t) + 1) for t in pairs]
    return np.array(rows, dtype=np.intp).reshape(len(pairs), width)
