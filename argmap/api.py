"""The library API that the CLI is built on, usable from a notebook.

>>> from argmap import Model
>>> m = Model.load()                       # the bundled report map     # doctest: +SKIP
>>> m.probability()                        # P(scheming) under the map's default scenario  # doctest: +SKIP
>>> m.probability(set={"slack": "low"})    # doctest: +SKIP
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .base.errors import ArgmapError, ConditionWarning, QueryError, did_you_mean
from .base.marginals import p_true
from .base.records import dataclass
from .maps.models import ArgumentMap, Stated

if TYPE_CHECKING:
    import numpy as np

    from .inference.engine import Engine
    from .inference.keptanswers import KeptNetwork
    from .inference.network import Network

__all__ = ["Model", "Result", "Conditions", "parse_assignment", "DEFAULT"]

DEFAULT = "default"
"""Use the map's default scenario (pass ``scenario=None`` for none)."""

_TRUE = {"true", "yes", "1", "on", "t", "y"}
_FALSE = {"false", "no", "0", "off", "f", "n"}


def _warn(message: str) -> None:
    import warnings

    warnings.warn(ConditionWarning(message), stacklevel=3)


def parse_assignment(text: str) -> tuple[str, str]:
    """Parse ``claim=state`` from the command line (``claim`` alone means ``claim=true``).

    >>> parse_assignment("slack=low")
    ('slack', 'low')
    >>> parse_assignment("situational_awareness")
    ('situational_awareness', 'true')
    """
    name, sep, state = text.partition("=")
    name, state = name.strip(), state.strip()
    if not name:
        raise QueryError(f"'{text}' should look like claim=state")
    return name, state if sep else "true"


@dataclass(frozen=True)
class Conditions:
    """What a query assumes: observed claims (given), intervened claims (set) and the scenario."""

    given: dict[str, str] = field(default_factory=dict)
    set: dict[str, str] = field(default_factory=dict)
    scenario: str | None = None
    observed: dict[str, str] = field(default_factory=dict)
    """The map's own observations (always conditioned on; see :mod:`argmap.maps.observe`)."""

    @property
    def evidence(self) -> dict[str, str]:
        """Everything conditioned on: the observations, then ``given``."""
        return {**self.observed, **self.given}


@dataclass(frozen=True)
class Result:
    """The outcome of propagating a map: P(target) and every claim's marginal."""

    map_name: str
    target: str
    probability: float
    distribution: dict[str, float]
    marginals: dict[str, dict[str, float]]
    conditions: Conditions
    overlays: tuple[str, ...] = ()
    overrides: tuple[tuple[str, str, str, str], ...] = ()
    """(claim or relation, field, earlier overlay, later overlay that overrides it)."""
    stated: tuple[dict, ...] = ()
    """Results sources state for this target and scenario (from the map or an overlay's ``stated:``)."""
    verdicts: tuple[dict, ...] = ()
    """The sources' verdicts on other stages under these conditions, each with the map's composed value
    (:meth:`Model.verdicts`)."""

    def to_dict(self) -> dict:
        """The JSON shape printed by ``argmap run --json`` (documented in the README)."""
        return {
            "map": self.map_name,
            "target": self.target,
            "probability": self.probability,
            "distribution": self.distribution,
            "scenario": self.conditions.scenario,
            "given": self.conditions.given,
            "set": self.conditions.set,
            "observed": self.conditions.observed,
            "overlays": list(self.overlays),
            "overrides": [{"target": t, "field": f, "overlay": later, "overrides": earlier}
                          for t, f, earlier, later in self.overrides],
            "stated": list(self.stated),
            "verdicts": list(self.verdicts),
            "marginals": self.marginals,
        }


class Model:
    """A loaded map with its compiled network and inference engine.

    Build with :meth:`Model.load` (files) or ``Model(argument_map)``. Compilation happens once, on
    first use; every query after that reuses it.
    """

    def __init__(self, amap: ArgumentMap, network: Network | None = None):
        self.map = amap
        self.scale: str = amap.scale
        """The verbal scale the word-read numbers are read on (:meth:`on_scale`)."""
        self.rereads: tuple = ()
        """What :meth:`on_scale` did to each number (:class:`argmap.inference.words.Reread`)."""
        self._unscaled: Model | None = None
        if network is not None:
            self.__dict__["network"] = _compiled(amap, network)[0]   # already compiled (e.g. read from the cache)

    @classmethod
    def from_kept(cls, amap: ArgumentMap, network: KeptNetwork) -> Model:
        """``amap`` whose queries are answered from the figures a cache entry keeps, without numpy
        (:mod:`argmap.inference.keptanswers`): any other query raises
        :class:`~argmap.inference.keptanswers.NotKept`. Only for a run that prints what the entry keeps."""
        from .inference.keptanswers import KeptEngine

        model = cls(amap)
        model.__dict__["network"], model.__dict__["engine"] = network, KeptEngine(network)
        return model

    @classmethod
    def load(cls, path: str | Path | None = None, overlays: Iterable[str | Path] = (),
             cache: bool | None = None, scale: str | None = None, files=None) -> Model:
        """Load the map at ``path`` (default: the bundled report map) with overlays applied in order.

        Compiled maps are cached by the content of every file read (:mod:`argmap.inference.cache`); a cached
        one is the same map, bit for bit. ``cache=False`` reads and compiles the files regardless
        (the CLI's ``--no-cache``); None, the default, uses the cache unless it is switched off.
        ``scale`` re-reads every word-read number on that verbal scale (:meth:`on_scale`). ``files``: the
        files' reading already under way (:func:`argmap.inference.cache.load_compiled`).
        """
        from .inference.cache import load_compiled

        return cls(*load_compiled(path, overlays, cache, prepare=_plan_usual, files=files)).on_scale(scale)

    def on_scale(self, scale: str | None) -> Model:
        """This map with every word-read number re-read on the verbal scale ``scale`` (``icd203``,
        ``ipcc-ar5``, ``survey``, or the map's own ``argmap``; :mod:`argmap.base.scales`): both ``map``
        (:func:`argmap.inference.words.reread_map`, what the explorer page compiles) and ``network``. None,
        or the scale the model is already on, returns the model itself; ``rereads`` says what changed."""
        if scale is None or scale == self.scale:
            return self
        base = self._unscaled or self
        if scale == base.scale:
            return base
        import dataclasses

        from .inference.words import reread

        amap, net, rereads = reread(base.map, base.network, scale)
        model = Model(amap if amap is not base.map else dataclasses.replace(base.map, scale=scale), net)
        model.scale, model.rereads, model._unscaled = scale, rereads, base
        return model

    @classmethod
    def load_with_base(cls, path: str | Path | None = None, overlays: Iterable[str | Path] = (),
                       scale: str | None = None) -> tuple[Model, Model]:
        """The map without and with ``overlays``, from one reading of the files: ``(base, overlaid)``,
        both on ``scale`` (:meth:`on_scale`)."""
        from .maps.loader import load_stages

        stages = load_stages(path, overlays)
        return cls(stages[0].map).on_scale(scale), cls(stages[-1].map).on_scale(scale)

    @cached_property
    def network(self) -> Network:
        return _compiled(self.map)[0]

    @cached_property
    def engine(self) -> Engine:
        from .inference.engine import Engine

        net, engine = _compiled(self.map, self.network)
        return engine if net is self.network else Engine(self.network)

    def __repr__(self) -> str:
        extra = f" with {', '.join(self.map.overlays)}" if self.map.overlays else ""
        return f"<argmap.Model {self.map.name!r}: {len(self.map.claims)} claims{extra}>"

    def _repr_svg_(self) -> str | None:
        """The map's diagram under its default scenario (parts collapsed for a big map), for notebooks;
        None (so the notebook shows the text repr) when no Graphviz engine is available."""
        from .render import RenderError, map_dot, render_dot
        from .render.views import OVERVIEW_ABOVE

        c = self.conditions()
        dot = map_dot(self.map, self.marginals(c.given, c.set, scenario=None), observed=c.given, intervened=c.set,
                      scenario=c.scenario, collapse_all=len(self.map.claims) > OVERVIEW_ABOVE)
        try:
            return render_dot(dot, "svg").decode("utf-8")
        except RenderError:
            return None

    # ------------------------------------------------------------ conditions
    def conditions(self, given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
                   scenario: str | None = DEFAULT) -> Conditions:
        """Merge a scenario with explicit conditions and normalise state names.

        The rule: explicit conditions replace the scenario's on the same claim, and an explicit ``set``
        replaces an explicit ``given`` of the same claim (an intervention overrides an observation).
        Each replacement that changes something is reported as a :class:`ConditionWarning`.
        """
        name = self.map.default_scenario if scenario == DEFAULT else scenario
        g: dict[str, str] = {}
        s: dict[str, str] = {}
        if name is not None:
            if name not in self.map.scenarios:
                hint = did_you_mean(name, self.map.scenarios)
                raise QueryError(f"no scenario named '{name}'" + (f"; {hint}" if hint else
                                 f" (scenarios: {', '.join(self.map.scenarios) or 'none'})"))
            sc = self.map.scenarios[name]
            g.update(sc.given)
            s.update(sc.set)
        scenario_had = {**{c: ("given", v) for c, v in g.items()}, **{c: ("set", v) for c, v in s.items()}}
        explicit: dict[str, tuple[str, str]] = {}
        for kind, src, dst, other in (("given", given or {}, g, s), ("set", set or {}, s, g)):
            for claim, raw in src.items():
                state = self._state(claim, raw)
                if claim in explicit:
                    _warn(f"'{claim}' is both given ({claim}={explicit[claim][1]}) and set ({claim}={state}); "
                          "the set wins: an intervention replaces an observation")
                elif claim in scenario_had and scenario_had[claim] != (kind, state):
                    was_kind, was = scenario_had[claim]
                    _warn(f"scenario '{name}' has {was_kind} {claim}={was}; the explicit {kind} {claim}={state} "
                          "replaces it")
                explicit[claim] = (kind, state)
                other.pop(claim, None)
                dst[claim] = state
        observed = self.map.observed
        for claim in s:
            if claim in self.map.observations:
                raise QueryError(f"'{claim}' is an observation: it is conditioned on, not intervened on; "
                                 "remove it from --set (or the overlay that observes it)")
        return Conditions(g, s, name, {k: v for k, v in observed.items() if k not in g})

    def _state(self, claim: str, state) -> str:
        if claim not in self.map.claims:
            hint = did_you_mean(claim, self.map.claims)
            raise QueryError(f"'{claim}' is not a claim in this map" + (f"; {hint}" if hint else ""))
        states = self.map.claims[claim].states
        text = ("true" if state else "false") if isinstance(state, bool) else str(state).strip()
        if states == ("false", "true"):
            low = text.lower()
            text = "true" if low in _TRUE else "false" if low in _FALSE else text
        if text not in states:
            hint = did_you_mean(text, states)
            raise QueryError(f"'{claim}' has no state '{text}' (its states: {', '.join(states)})"
                             + (f"; {hint}" if hint else ""))
        return text

    # ------------------------------------------------------------ queries
    def distribution(self, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT,
                     theta: np.ndarray | None = None) -> dict[str, float] | np.ndarray:
        """P(target = s) for each state s; with a batch ``theta`` an array of shape (B, states)."""
        target = target or self.map.target
        self._state_ok(target)
        c = self.conditions(given, set, scenario)
        out = self.engine.query(target, c.evidence, c.set, theta)
        import numpy as np

        if theta is not None and np.ndim(theta) == 2:
            return out
        return dict(zip(self.network.states[target], map(float, out), strict=False))

    def probability(self, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT,
                    theta: np.ndarray | None = None):
        """P(target = true) (the last state for a categorical target); an array for a batch ``theta``."""
        target = target or self.map.target
        self._state_ok(target)
        c = self.conditions(given, set, scenario)
        out = self.engine.query(target, c.evidence, c.set, theta)
        return out[..., -1] if out.ndim == 2 else float(out[-1])

    def marginals(self, given=None, set=None, scenario: str | None = DEFAULT) -> dict[str, dict[str, float]]:
        """Every claim's marginal distribution under the conditions."""
        c = self.conditions(given, set, scenario)
        raw = self.engine.marginals(c.evidence, c.set)
        return {v: dict(zip(self.network.states[v], p.tolist(), strict=False)) for v, p in raw.items()}

    def run(self, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT) -> Result:
        """Propagate: P(target) and all marginals, as a :class:`Result`."""
        target = target or self.map.target
        self._state_ok(target)
        c = self.conditions(given, set, scenario)
        margs = self.marginals(c.given, c.set, scenario=None)
        dist = margs[target]
        from .maps.checks import overrides

        stated = tuple(s.to_dict() for s in self.map.stated
                       if s.claim == target and s.scenario == c.scenario and not s.verdict)
        return Result(self.map.name, target, p_true(dist), dist, margs, c, self.map.overlays,
                      tuple(overrides(self.map)), stated, tuple(self._verdicts(c)))

    def verdicts(self, given=None, set=None, scenario: str | None = DEFAULT) -> list[dict]:
        """The sources' verdicts on the map's stages (``stated:`` entries with a ``band`` or ``given``) for
        this scenario, each with the probability the map composes for it under the same conditions.

        Each row is the statement's ``to_dict()`` plus ``text`` (it in words), ``probability``
        (P(claim | conditions, the statement's own ``given``)) and ``agrees`` (True / False; None for a
        point value, and both None when the conditions fix the claim or contradict the statement's ``given``).
        """
        return self._verdicts(self.conditions(given, set, scenario))

    def _verdicts(self, c: Conditions) -> list[dict]:
        rows = []
        for st, evidence in _verdict_queries(self.map, c):
            p = None
            if evidence is not None:
                dist = self.engine.query(st.claim, evidence, c.set)
                p = float(p_true(dict(zip(self.network.states[st.claim], map(float, dist), strict=False))))
            rows.append({**st.to_dict(), "text": st.describe(), "probability": p,
                         "agrees": None if p is None else st.agrees(p)})
        return rows

    def plan_width(self) -> int:
        """The elimination width of the whole map, planned as :meth:`run` plans it: every claim's marginal
        with no conditions and under each of the map's scenarios. Raises
        :class:`~argmap.base.errors.WidthError` wherever :meth:`run` would (``argmap check`` uses it, so it
        refuses what ``run`` would refuse)."""
        names = tuple(self.network.variables)
        width = 0
        for scenario in (None, *self.map.scenarios):
            c = self.conditions(scenario=scenario)
            width = max(width, self.engine.marginal_plan(names, c.evidence, c.set).width)
        return width

    def _state_ok(self, target: str) -> None:
        if target not in self.map.claims:
            hint = did_you_mean(target, self.map.claims)
            raise QueryError(f"target '{target}' is not a claim in this map" + (f"; {hint}" if hint else ""))


def _verdict_queries(amap: ArgumentMap, c: Conditions) -> Iterator[tuple[Stated, dict[str, str] | None]]:
    """The sources' verdicts under conditions ``c``, each with the evidence its probability is queried
    under (None when the conditions fix the claim or contradict the statement's own ``given``)."""
    for st in amap.stated:
        if not st.verdict or st.scenario != c.scenario:
            continue
        extra = dict(st.given)
        clash = st.claim in c.given or st.claim in c.set or \
            any(k in c.set or c.given.get(k, v) != v for k, v in extra.items())
        yield st, None if clash else {**c.evidence, **extra}


def _plan_usual(amap: ArgumentMap, net: Network) -> None:
    """Plan and compute the queries ``argmap run`` makes (every marginal under the map's default
    scenario, and the sources' verdicts under it) before the compiled-map cache stores the network, so
    a cached run reads the plans and figures (:attr:`Network.results`) instead of making them; the
    first run reads them from the network too, so it computes them once."""
    model = Model(amap, net)
    try:
        c = model.conditions()
        model.engine.marginals(c.evidence, c.set)
        for st, evidence in _verdict_queries(amap, c):
            if evidence is not None:
                model.engine.query(st.claim, evidence, c.set)
    except ArgmapError:
        pass                        # the query itself reports it, where it always did


_COMPILED: dict[int, tuple[weakref.ref, Network, Engine]] = {}


def _compiled(amap: ArgumentMap, network: Network | None = None) -> tuple[Network, Engine]:
    """The network and engine of a map object, compiled once however many Models wrap it (compare and
    attribution wrap the same stage maps several times); forgotten when the map is. ``network``: the
    map's network if already compiled."""
    from .inference.engine import Engine
    from .inference.network import compile_map

    key = id(amap)
    hit = _COMPILED.get(key)
    if hit is not None and hit[0]() is amap:
        return hit[1], hit[2]
    net = network if network is not None else compile_map(amap)
    engine = Engine(net)
    _COMPILED[key] = (weakref.ref(amap, _Forget(_COMPILED, key)), net, engine)
    return net, engine


class _Forget:
    """Weak-reference callback dropping a memo entry (holds the memo itself: at interpreter exit the
    module's globals may already be gone)."""

    def __init__(self, memo: dict, key: int):
        self.memo, self.key = memo, key

    def __call__(self, _ref: object) -> None:
        self.memo.pop(self.key, None)
