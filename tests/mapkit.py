"""Write small maps from Python dicts for tests."""

from __future__ import annotations

from pathlib import Path

import yaml

__all__ = ["write_map"]


def write_map(folder: Path, claims: list[dict], target: str, **head) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    header = {"argmap": 1, "name": head.pop("name", "t"), "target": target, **head}
    (folder / "map.yaml").write_text(yaml.safe_dump(header, sort_keys=False))
    (folder / "claims.yaml").write_text(yaml.safe_dump({"claims": claims}, sort_keys=False))
    return folder
