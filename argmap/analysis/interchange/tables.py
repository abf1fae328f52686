"""The compiled network as plain tables: what the BIF and XMLBIF writers serialise.

Exports describe the network at the map's own numbers (θ0): one conditional probability table per
claim, parents in the order the network uses. **No scenario is applied**: the map's default scenario
(e.g. the report's stated conditions) is a query, not part of the network, so a peer tool reproduces
argmap's figures under it by entering the same evidence itself.
"""

from __future__ import annotations

import re

import numpy as np

from ...base.errors import ArgmapError
from ...base.records import dataclass
from ...inference.network import Network

__all__ = ["BayesNet", "network_tables", "identifier"]


@dataclass(frozen=True)
class BayesNet:
    """A discrete Bayesian network as plain data, the common ground of argmap and the file formats.

    ``tables[v]`` has shape ``(*cards of parents[v], len(states[v]))``: one distribution per row.
    ``titles`` holds optional display names and ``origins`` the ``(line, column)`` where each
    variable was declared (for errors about files read from disk).
    """

    name: str
    variables: tuple[str, ...]
    states: dict[str, tuple[str, ...]]
    parents: dict[str, tuple[str, ...]]
    tables: dict[str, np.ndarray]
    titles: dict[str, str]
    origins: dict[str, tuple[int, int]]


def network_tables(network: Network, *, name: str = "argmap", titles: dict[str, str] | None = None) -> BayesNet:
    """Evaluate every CPT of a compiled network at its own numbers (θ0), with no scenario applied."""
    theta = network.theta0[None, :]
    tables = {}
    for v in network.variables:
        table = np.asarray(network.builders[v](theta)[0], dtype=float)
        if not np.all(np.isfinite(table)):
            raise ArgmapError(f"the table of '{v}' is not finite at the map's numbers; it cannot be exported")
        tables[v] = table
    return BayesNet(name, tuple(network.variables), dict(network.states), dict(network.parents), tables,
                    dict(titles or {}), {})


_NOT_WORD = re.compile(r"[^A-Za-z0-9_]+")


def identifier(text: str, fallback: str = "x") -> str:
    """A conservative identifier (letters, digits, underscores; starting with a letter) for ``text``.

    >>> identifier("Scheming AIs (2023)")
    'Scheming_AIs_2023'
    >>> identifier("3 states")
    's_3_states'
    """
    word = _NOT_WORD.sub("_", str(text)).strip("_")
    if not word:
        return fallback
    return word if word[0].isalpha() else f"s_{word}"
