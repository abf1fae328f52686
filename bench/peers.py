"""Adapters that put an argmap network into pgmpy and pyAgrum, and query them the fastest way each offers.

Both peers get the very same CPTs argmap computes (``Network.cpts``), so any difference in an answer
is a difference in inference. CPTs for a sweep or a Monte Carlo draw are computed *outside* the
peers' timed region: the peers are timed only on what they must do per evaluation (take new CPT
values, then infer), which favours them.

* **pgmpy** — ``VariableElimination`` with its default ``elimination_order="greedy"`` (a pruned
  einsum contraction; its ``MinFill`` order exhausted memory at 100-300 claims). pgmpy re-reads the
  model's CPDs on every query, so a parameter change is an in-place edit of ``cpd.values``.
* **pyAgrum** — ``LazyPropagation`` with the query target registered (relevance pruning). A kept
  engine does not notice CPT edits, so each new parameter vector gets a fresh engine ("fresh" mode).
  For a root's credence there is a faster exact route on one kept engine: soft evidence equal to the
  ratio of new to old prior ("soft" mode); the runner times both and keeps the faster.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np

__all__ = ["PgmpyPeer", "PyAgrumPeer", "available"]


def available() -> dict[str, str | None]:
    """Installed peer versions (None where a peer is missing)."""
    out: dict[str, str | None] = {}
    for name, mod in (("pgmpy", "pgmpy"), ("pyAgrum", "pyagrum")):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[name] = __import__(mod).__version__
        except ImportError:
            out[name] = None
    return out


def _states(net, v, given):
    return {k: net.states[k].index(s) for k, s in given.items()}


class PgmpyPeer:
    """A pgmpy ``DiscreteBayesianNetwork`` holding an argmap network's CPTs."""

    name = "pgmpy"

    def __init__(self, net, cpts: dict[str, np.ndarray]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pgmpy.factors.discrete import TabularCPD
            from pgmpy.global_vars import config
            from pgmpy.models import DiscreteBayesianNetwork
        config.set_show_progress(False)
        logging.getLogger("pgmpy").setLevel(logging.ERROR)
        self.net = net
        model = DiscreteBayesianNetwork()
        model.add_nodes_from(net.variables)
        model.add_edges_from([(p, v) for v in net.variables for p in net.parents[v]])
        self.cpds = {}
        for v in net.variables:
            pa = list(net.parents[v])
            card = len(net.states[v])
            vals = np.moveaxis(cpts[v], -1, 0).reshape(card, -1)
            cpd = TabularCPD(v, card, vals, evidence=pa or None,
                             evidence_card=[len(net.states[p]) for p in pa] or None)
            self.cpds[v] = cpd
        model.add_cpds(*self.cpds.values())
        self.model = model
        self._engine = None

    def set_cpts(self, cpts: dict[str, np.ndarray]) -> None:
        """Replace CPT values in place (pgmpy's VE reads the model's CPDs on every query)."""
        for v, a in cpts.items():
            self.cpds[v].values = np.moveaxis(a, -1, 0)

    def engine(self, fresh: bool = False):
        from pgmpy.inference import VariableElimination
        if fresh or self._engine is None:
            self._engine = VariableElimination(self.model)
        return self._engine

    def query(self, target: str, given: dict[str, str], fresh: bool = False) -> np.ndarray:
        ev = _states(self.net, target, given)
        res = self.engine(fresh).query([target], evidence=ev or None, show_progress=False)
        return np.asarray(res.values, dtype=float)

    def marginals(self, given: dict[str, str]) -> dict[str, np.ndarray]:
        """One query per claim (pgmpy has no all-marginals pass)."""
        return {v: self.query(v, given) if v not in given else None for v in self.net.variables}


class PyAgrumPeer:
    """A pyAgrum ``BayesNet`` holding an argmap network's CPTs."""

    name = "pyAgrum"

    def __init__(self, net, cpts: dict[str, np.ndarray]):
        import pyagrum as gum
        self.gum = gum
        self.net = net
        bn = gum.BayesNet("argmap")
        for v in net.variables:
            bn.add(gum.LabelizedVariable(v, v, len(net.states[v])))
        for v in net.variables:
            for p in net.parents[v]:
                bn.addArc(p, v)
        self.bn = bn
        self._perm = {}
        for v in net.variables:
            names = bn.cpt(v).names          # pyAgrum's own variable order for this table
            order = net.parents[v] + (v,)
            # toarray() axes follow reversed(names); map argmap's (*parents, v) onto them
            self._perm[v] = [order.index(n) for n in reversed(names)]
        self.set_cpts(cpts)
        self._soft = None

    def set_cpts(self, cpts: dict[str, np.ndarray]) -> None:
        for v, a in cpts.items():
            self.bn.cpt(v)[:] = np.ascontiguousarray(np.transpose(a, self._perm[v]))

    def _engine(self, target: str, given: dict[str, str]):
        """A fresh LazyPropagation (it does not see CPT edits otherwise), pruned to the target."""
        ie = self.gum.LazyPropagation(self.bn)
        ie.addTarget(target)
        ev = _states(self.net, target, given)
        if ev:
            ie.setEvidence(ev)
        ie.makeInference()
        return ie

    def query(self, target: str, given: dict[str, str]) -> np.ndarray:
        return np.asarray(self._engine(target, given).posterior(target).toarray(), dtype=float)

    def marginals(self, given: dict[str, str]) -> dict[str, np.ndarray]:
        """Every posterior from one fresh engine (Lazy Propagation's full junction-tree pass)."""
        ie = self.gum.LazyPropagation(self.bn)
        ev = _states(self.net, None, given)
        if ev:
            ie.setEvidence(ev)
        ie.makeInference()
        return {v: np.asarray(ie.posterior(v).toarray(), dtype=float) for v in self.net.variables}

    # soft-evidence mode: change a root's prior without rebuilding the engine
    def soft_engine(self, target: str, given: dict[str, str]):
        self._soft = self._engine(target, given)
        return self._soft

    def soft_query(self, target: str, root: str, likelihood: np.ndarray) -> np.ndarray:
        """P(target) with root's prior multiplied by ``likelihood`` (new prior / old prior)."""
        ie = self._soft
        if ie.hasEvidence(root):
            ie.chgEvidence(root, list(likelihood))
        else:
            ie.addEvidence(root, list(likelihood))
        ie.makeInference()
        return np.asarray(ie.posterior(target).toarray(), dtype=float)

    def soft_reset(self, root: str) -> None:
        if self._soft is not None and self._soft.hasEvidence(root):
            self._soft.eraseEvidence(root)
