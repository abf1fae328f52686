"""Every CPT of a network computed at once from a batch of parameter vectors.

The CPT builders in :mod:`argmap.network` are clear but run one small numpy expression per claim,
which dominates sweeps and Monte Carlo. A :class:`Program` holds the same formulas as flat index
arrays, so filling all CPT entries for a batch is a handful of vectorised gathers whatever the number
of claims. It works **batch-last**: ``theta_t`` has shape ``(P, B)`` and the result is one flat array
of shape ``(cells, B)``; each claim's CPT is a view of it shaped ``(*parent cards, card, B)``. Batch
last keeps the innermost loops of the engine's einsums long and contiguous.

Cell formulas (the same as the builders'):

* a copied entry: ``cpt = θ[k]`` (categorical roots and tables);
* a binary direct entry: ``P(true) = θ[k]``, ``P(false) = 1 − θ[k]`` (binary roots and tables);
* a composed binary entry: ``P(true) = expit(logit θ_base + Σ log θ_ratio · θ_scale) · Π θ_leak``,
  where an absent base means 1, an absent scale 1 and an absent leak 0. It is computed as odds,
  ``u = θ_base · Π θ_ratio ** θ_scale`` and ``P = u / (u + 1 − θ_base)``, which needs no exp or log
  for unmodulated relations and keeps the limits 0 and 1 exact.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

__all__ = ["VarSpec", "Program", "build_program"]


@dataclass
class VarSpec:
    """One claim's CPT as cell formulas; positions are flat offsets into its own table."""

    shape: tuple[int, ...]                                   # (*parent cards, card)
    copy: list[tuple[int, int]] = field(default_factory=list)           # (pos, param)
    direct: list[tuple[int, int, int]] = field(default_factory=list)    # (true pos, false pos, param)
    composed: list[tuple[int, int, int, tuple, tuple]] = field(default_factory=list)
    # (true pos, false pos, base param or -1, ((ratio, -1) or (ratio, scale, scale...), ...), (leak or -1, ...))

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True)
class Program:
    """Index arrays that fill the CPTs of a set of claims for a batch of parameter vectors.

    Cells live in three blocks: ``copy`` (categorical claims, laid out as their CPTs), ``direct``
    and ``composed`` (binary claims, shape ``(2, cells, B)``: P(false), then P(true)). A claim's
    CPT is a strided view of its block, never a copy. A composed cell's odds depend on its base and
    active relations only, so cells that differ only in which requirements hold share one formula:
    the distinct formulas are computed once (ordered most relations first, so each pass over
    relations is a prefix slice), gathered into the cells, and multiplied by the unmet leaks.
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
        # the builders' expit(logit b + Σ log ratio·scale), computed multiplicatively: with
        # u = b · Π ratio^scale, P(true) = u / (u + 1 - b) (no exp or log unless a relation is modulated).
        # Cells that differ only in which requirements are met share one formula, computed once.
        nb = self.base_par.size
        p = np.empty((nb + 1, bsz))
        u = p[:nb]
        p[nb:] = 1.0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            np.take(theta_t, self.base_par, axis=0, out=u, mode="clip")
            den = 1.0 - u
            ext = theta_t
            if self.pair_ratio.size:    # each modulated ratio^scale once, however many cells use it
                padded = np.concatenate([theta_t, np.ones((1, bsz))])
                exponent = np.prod(padded[self.pair_scale], axis=1)     # several modulators multiply
                ext = np.concatenate([theta_t, theta_t[self.pair_ratio] ** exponent])
            for n, par in self.term_passes:
                u[:n] *= np.take(ext, par, axis=0)
            den += u
            u /= den
        return p

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


def _arr(values) -> np.ndarray:
    return np.asarray(list(values), dtype=np.intp)


def build_program(specs: Mapping[str, VarSpec], names: Iterable[str], n_params: int) -> Program:
    """Lay out the cells of ``names`` in blocks and index them into one :class:`Program`."""
    views = {}
    copy_par: list[int] = []
    dir_par: list[int] = []
    comp: list[tuple[int, tuple, tuple]] = []        # per composed cell: (base, terms, leaks)
    size = 0
    for v in names:
        s = specs[v]
        size += s.size
        if s.copy:
            views[v] = ("copy", len(copy_par), len(copy_par) + s.size, s.shape)
            vals = [0] * s.size
            for pos, k in s.copy:
                vals[pos] = k
            copy_par += vals
        elif s.direct:
            views[v] = ("direct", len(dir_par), len(dir_par) + s.size // 2, s.shape)
            vals = [0] * (s.size // 2)
            for t, _f, k in s.direct:
                vals[t // 2] = k
            dir_par += vals
        else:
            views[v] = ("composed", len(comp), len(comp) + s.size // 2, s.shape)
            cells: dict[int, tuple[int, tuple, tuple]] = {}
            for t, _f, b, terms, leaks in s.composed:
                cells[t // 2] = (b, terms if b >= 0 else (), leaks)   # no base: P = 1, relations unused
            comp += [cells[i] for i in range(s.size // 2)]
    keys = sorted({(b, terms) for b, terms, _ in comp if b >= 0}, key=lambda f: (-len(f[1]), f))
    row = {f: i for i, f in enumerate(keys)}
    pairs: dict[tuple[int, ...], int] = {}
    term_passes = []
    k = 0
    while keys and len(keys[0][1]) > k:
        rows = [f[1][k] for f in keys if len(f[1]) > k]
        ext = [t[0] if t[1:] == (-1,) else n_params + pairs.setdefault(t, len(pairs)) for t in rows]
        term_passes.append((len(rows), _arr(ext)))
        k += 1
    leak_passes = []
    k = 0
    while True:
        with_leak = [c for c in range(len(comp)) if len(comp[c][2]) > k]
        if not with_leak:
            break
        kth = [comp[c][2][k] for c in with_leak]
        leak_passes.append((_arr(with_leak), _arr(max(li, 0) for li in kth),
                            _arr(j for j, li in enumerate(kth) if li < 0)))
        k += 1
    formula = _arr(row[(b, terms)] if b >= 0 else len(keys) for b, terms, _ in comp)
    return Program(views, size, _arr(copy_par), _arr(dir_par), len(comp),
                   _arr(b for b, _ in keys), tuple(term_passes), _arr(t[0] for t in pairs),
                   _scales(list(pairs), n_params), formula, tuple(leak_passes))


def _scales(pairs: list[tuple[int, ...]], n_params: int) -> np.ndarray:
    width = max((len(t) - 1 for t in pairs), default=1)
    rows = [list(t[1:]) + [n_params] * (width - len(t) + 1) for t in pairs]
    return np.array(rows, dtype=np.intp).reshape(len(pairs), width)
