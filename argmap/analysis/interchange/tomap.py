"""Turn a network read from a BIF/XMLBIF file into an argument map folder of explicit tables.

Each variable becomes a claim (its id made from the name: lowercase letters, digits and
underscores, made unique; the original name is its title), roots get a ``credence`` and every
other claim a ``table`` over its parents. Binary variables whose states are exactly ``false`` and
``true`` stay binary (``p:`` per row); all others keep their states (``probs:`` per row). The folder
is written next to its final place, checked with the loader, and only then renamed into place, so a
failure leaves nothing half-written, and an existing folder is never overwritten.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml

from ...base.atomic import atomic_write, refuse_map_folder
from ...base.errors import ArgmapError, ValidationError, did_you_mean
from ...base.textsafe import safe_component, visible
from ...base.yamlsafe import MAX_FILE_BYTES, MAX_VALUES
from ._text import fail, read_network_raw
from .tables import BayesNet

__all__ = ["read_network", "network_to_map", "import_network", "claim_ids", "place_map_folder"]

_XML_SUFFIXES = {".xml", ".xmlbif", ".bifxml"}
_FILE_VALUES = MAX_VALUES // 2
_FILE_BYTES = MAX_FILE_BYTES // 2
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def read_network(path: str | Path) -> BayesNet:
    """Read a BIF or XMLBIF file (by suffix; otherwise by whether it starts with ``<``)."""
    from ._text import decode
    from .bif import parse_bif
    from .xmlbif import parse_xmlbif

    path = Path(path)
    if path.is_dir():
        raise fail(path, None, "expected a BIF or XMLBIF file, got a folder")
    raw = read_network_raw(path)
    if path.suffix.lower() in _XML_SUFFIXES or raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return parse_xmlbif(raw, path)
    return parse_bif(decode(raw, path), path)


def claim_ids(names: tuple[str, ...]) -> dict[str, str]:
    """A valid, unique claim id for each variable name, in order.

    >>> claim_ids(("Smoker", "X-ray", "smoker", "2nd"))
    {'Smoker': 'smoker', 'X-ray': 'x_ray', 'smoker': 'smoker_2', '2nd': 'v_2nd'}
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "v"
        if not ("a" <= base[0] <= "z"):
            base = f"v_{base}"
        base = base[:70]
        cid, k = base, 2
        while cid in used:
            cid, k = f"{base}_{k}", k + 1
        used.add(cid)
        out[name] = cid
    return out


def _title(text: str) -> str:
    words = " ".join(visible(text).split())
    return (words[:117] + "...") if len(words) > 120 else (words or "untitled")


def _dist(values: np.ndarray, states: tuple[str, ...], binary: bool):
    if binary:
        return float(values[states.index("true")])
    return {s: float(x) for s, x in zip(states, values, strict=False)}


def network_to_map(net: BayesNet, *, source: str = "network", target: str | None = None) -> dict[str, str]:
    """The files (name -> YAML text) of an argument map equivalent to ``net``.

    ``target`` names the map's target (a variable name or the claim id made from it); by default
    the last declared variable that no other depends on.
    """
    ids = claim_ids(net.variables)
    children = {p for v in net.variables for p in net.parents[v]}
    if target is None:
        target_var = [v for v in net.variables if v not in children][-1]
    else:
        by_id = {cid: v for v, cid in ids.items()}
        found = target if target in ids else by_id.get(target)
        if found is None:
            hint = did_you_mean(target, list(ids) + list(by_id))
            raise ArgmapError(f"--target '{target}' is not a variable of the network"
                              + (f"; {hint}" if hint else ""))
        target_var = found
    files: dict[str, str] = {}
    chunk: list[str] = []
    values = size = 0
    for v in net.variables:
        claim, n_values = _claim(net, v, ids, source, v == target_var)
        text = yaml.dump([claim], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096,
                         default_flow_style=None)
        if n_values > _FILE_VALUES or len(text) > _FILE_BYTES:
            raise fail(Path(source), net.origins.get(v), f"the table of '{v}' is too large for an argument file",
                       "argmap imports networks whose tables fit in argument files")
        if chunk and (values + n_values > _FILE_VALUES or size + len(text) > _FILE_BYTES):
            files[f"claims-{len(files) + 1:03d}.yaml"] = "claims:\n" + "".join(chunk)
            chunk, values, size = [], 0, 0
        chunk.append(text)
        values += n_values
        size += len(text)
    files[f"claims-{len(files) + 1:03d}.yaml"] = "claims:\n" + "".join(chunk)
    if len(files) == 1:
        files = {"claims.yaml": files.popitem()[1]}
    header = {
        "argmap": 1,
        "name": safe_component(net.name, "network"),     # a name may come back as a folder name
        "title": _title(f"{net.name} (imported from {Path(source).name})"),
        "target": ids[target_var],
        "source": {"file": Path(source).name, "format": "XMLBIF" if Path(source).suffix.lower() in _XML_SUFFIXES
                   else "BIF"},
    }
    note = ("# Imported by `argmap import`: one claim per variable, with its conditional table written out.\n"
            "# The numbers are the file's own (rows renormalised where rounding left them off 1).\n")
    files["map.yaml"] = note + yaml.dump(header, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)
    return files


def _claim(net: BayesNet, v: str, ids: dict[str, str], source: str, is_target: bool) -> tuple[dict, int]:
    states = net.states[v]
    binary = set(states) == {"false", "true"}
    claim: dict = {"id": ids[v], "title": _title(net.titles.get(v) or v)}
    if is_target:
        claim["kind"] = "conclusion"
    if not binary:
        claim["states"] = list(states)
    line = net.origins.get(v, (None, None))[0]
    provenance = {"basis": "stated", "source": f"{Path(source).name}" + (f":{line}" if line else "")}
    table = net.tables[v]
    parents = net.parents[v]
    if not parents:
        claim["credence"] = _dist(table, states, binary)
        claim["provenance"] = provenance
        return claim, 3 + len(states)
    rows = []
    for idx in np.ndindex(*table.shape[:-1]):
        when = {ids[p]: net.states[p][i] for p, i in zip(parents, idx, strict=False)}
        dist = _dist(table[idx], states, binary)
        rows.append({"when": when, "p": dist} if binary else {"when": when, "probs": dist})
    claim["table"] = {"given": [ids[p] for p in parents], "rows": rows}
    claim["provenance"] = provenance
    per_row = 2 + len(parents) + (1 if binary else 1 + len(states))
    return claim, 6 + len(parents) + len(rows) * per_row


def import_network(path: str | Path, folder: str | Path, *, target: str | None = None) -> Path:
    """Read a BIF/XMLBIF file and write it as an argument map folder; refuse an existing ``folder``.

    The folder is assembled beside its destination, loaded back with the validating loader, and
    renamed into place only if that succeeds.
    """
    path, folder = Path(path), Path(folder)
    if folder.exists() or folder.is_symlink():
        raise ArgmapError(f"{folder} already exists; argmap import never overwrites: choose another -o FOLDER")
    refuse_map_folder(folder)
    net = read_network(path)
    files = network_to_map(net, source=str(path), target=target)
    return place_map_folder(files, folder)


def place_map_folder(files: dict[str, str], folder: str | Path,
                     explain: Callable[[ValidationError], ArgmapError] | None = None) -> Path:
    """Write ``files`` as the map folder ``folder``: assembled beside it, checked, then renamed in.

    Refuses an existing ``folder``; a failure leaves nothing behind. ``explain`` turns the loader's
    diagnostics into the error to raise (by default: a bug in the importer).
    """
    from ...maps.loader import load_map

    folder = Path(folder)
    if folder.exists() or folder.is_symlink():
        raise ArgmapError(f"{folder} already exists; argmap import never overwrites: choose another -o FOLDER")
    refuse_map_folder(folder)
    parent = folder.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=parent))
    except OSError as err:
        raise ArgmapError(f"cannot create {folder}: {err.strerror or err}") from err
    try:
        # the header last: once it exists the folder is a map folder, which atomic_write refuses to write into
        for name, text in sorted(files.items(), key=lambda kv: kv[0] == "map.yaml"):
            atomic_write(tmp / name, text)
        try:
            load_map(tmp)
        except ValidationError as err:
            if explain is not None:
                raise explain(err) from err
            raise ArgmapError("the imported map does not pass argmap check (please report this):\n"
                              + err.format()) from err
        if folder.exists():
            raise ArgmapError(f"{folder} appeared while importing; argmap import never overwrites")
        os.rename(tmp, folder)
    except OSError as err:
        raise ArgmapError(f"cannot write {folder}: {err.strerror or err}") from err
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return folder
