"""Interchange with other Bayesian-network tools: BIF and XMLBIF out, and back in as argument maps.

* :func:`write_bif` / :func:`write_xmlbif` serialise a compiled :class:`~argmap.inference.network.Network` at the
  map's own numbers, **without the map's default scenario** (a scenario is a query, not part of the
  network: enter the same evidence in the peer tool to reproduce argmap's conditional figures).
  pgmpy and pyAgrum read both (tested); the files follow the published formats that GeNIe and
  SamIam also read (not tested here).
* :func:`read_network` parses a BIF or XMLBIF file with argmap's own small readers (no ``eval``, no
  XML entities, bounded sizes, positioned errors), and :func:`network_to_map` /
  :func:`import_network` turn it into an argument map folder of explicit tables that
  ``argmap check`` accepts.
"""

from .bif import bif_state_names, parse_bif, read_bif, write_bif
from .tables import BayesNet, network_tables
from .tomap import import_network, network_to_map, read_network
from .xmlbif import parse_xmlbif, read_xmlbif, write_xmlbif

__all__ = [
    "BayesNet", "network_tables",
    "write_bif", "write_xmlbif", "bif_state_names",
    "read_bif", "read_xmlbif", "parse_bif", "parse_xmlbif", "read_network",
    "network_to_map", "import_network", "export_model",
]


def export_model(model, fmt: str) -> str:
    """BIF or XMLBIF text (``fmt`` is ``"bif"`` or ``"xmlbif"``) of an :class:`argmap.Model`'s network."""
    titles = {cid: c.title for cid, c in model.map.claims.items()}
    writer = {"bif": write_bif, "xmlbif": write_xmlbif}[fmt]
    return writer(model.network, name=model.map.name, titles=titles)
