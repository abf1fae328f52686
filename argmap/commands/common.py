"""Options shared by subcommands, and building library objects from them."""

from __future__ import annotations

import argparse
import json
import sys

from ..api import DEFAULT, Model, parse_assignment

__all__ = ["add_map_args", "add_condition_args", "model_from_args", "conditions_from_args", "print_json"]


def add_map_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", metavar="PATH",
                   help="map folder (with map.yaml); default: the bundled 'Scheming AIs' map")
    p.add_argument("--with", dest="overlays", action="append", default=[], metavar="OVERLAY",
                   help="apply a critique or viewpoint file, or a bundled one by name such as "
                        "pope-2023 (repeatable; applied in order)")


def add_condition_args(p: argparse.ArgumentParser, target: bool = True) -> None:
    p.add_argument("--given", action="append", default=[], metavar="CLAIM=STATE",
                   help="condition on an observation (repeatable)")
    p.add_argument("--set", action="append", default=[], metavar="CLAIM=STATE",
                   help="intervene: fix a claim, cutting it from its causes (repeatable)")
    p.add_argument("--scenario", default=DEFAULT, metavar="NAME",
                   help="scenario to apply ('none' for none; default: the map's default scenario)")
    if target:
        p.add_argument("--target", metavar="CLAIM", help="claim to report on (default: the map's target)")


def model_from_args(args) -> Model:
    return Model.load(args.path, args.overlays)


def conditions_from_args(args) -> dict:
    scenario = None if str(args.scenario).lower() == "none" else args.scenario
    return {
        "given": dict(parse_assignment(a) for a in args.given),
        "set": dict(parse_assignment(a) for a in args.set),
        "scenario": scenario,
    }


def print_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")
