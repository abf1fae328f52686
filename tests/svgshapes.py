"""Check a Graphviz SVG: every node's text lies inside the node's drawn shape.

Text extents are estimated from the font size and the characters, conservatively: each character is
given the advance width of DejaVu Sans (Bold when bold) measured with Pillow when the font is on the
machine, else 0.62 em; the height spans 0.78 em above the baseline to 0.22 em below it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache

SVG = "{http://www.w3.org/2000/svg}"
_NUM = re.compile(r"-?[0-9.]+(?:e-?[0-9]+)?")


@cache
def _font(bold: bool, size: int):
    try:
        from PIL import ImageFont

        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        return ImageFont.truetype(name, size)
    except Exception:  # noqa: BLE001 - no Pillow or no DejaVu: fall back to the em estimate
        return None


def text_width(text: str, size: float, bold: bool) -> float:
    """The advance width of ``text`` at ``size`` points, a little generous (+3%)."""
    font = _font(bold, 100)
    if font is None:
        return len(text) * 0.62 * size
    return font.getlength(text) * size / 100 * 1.03


@dataclass
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def _polygon(points: str) -> list[tuple[float, float]]:
    nums = [float(x) for x in _NUM.findall(points)]
    return list(zip(nums[0::2], nums[1::2], strict=False))


def _path(d: str) -> list[tuple[float, float]]:
    """A path's outline as points: each cubic Bézier sampled (Graphviz writes M x,y C ... only)."""
    nums = [float(x) for x in _NUM.findall(d)]
    pts = list(zip(nums[0::2], nums[1::2], strict=False))
    if not pts:
        return []
    out = [pts[0]]
    for i in range(1, len(pts) - 2, 3):
        p0, p1, p2, p3 = out[-1], pts[i], pts[i + 1], pts[i + 2]
        for k in range(1, 9):
            t = k / 8
            a, b, c, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + e * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + e * p3[1]))
    return out


def _inside(pt: tuple[float, float], poly: list[tuple[float, float]], slack: float = 0.6) -> bool:
    x, y = pt
    n = len(poly)
    hit = False
    for i in range(n):
        (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    if hit:
        return True
    # on the outline within ``slack`` points counts as inside (rounding in the SVG's coordinates)
    for i in range(n):
        (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % n]
        dx, dy = x2 - x1, y2 - y1
        t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
        if (x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2 <= slack ** 2:
            return True
    return False


def text_boxes(g) -> list[Box]:
    boxes = []
    for t in g.iter(f"{SVG}text"):
        text = "".join(t.itertext())
        if not text.strip():
            continue
        size = float(t.get("font-size", "14"))
        w = text_width(text, size, t.get("font-weight") == "bold")
        x, y = float(t.get("x")), float(t.get("y"))
        anchor = t.get("text-anchor", "start")
        x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
        boxes.append(Box(x0, y - 0.78 * size, x0 + w, y + 0.22 * size, text))
    return boxes


def overflowing_text(svg: bytes | str) -> list[str]:
    """Texts (node title: text) whose estimated extent leaves every shape of their node."""
    root = ET.fromstring(svg)
    problems = []
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        shapes = [_polygon(p.get("points", "")) for p in g.iter(f"{SVG}polygon")]
        shapes += [_path(p.get("d", "")) for p in g.iter(f"{SVG}path")]
        shapes = [s for s in shapes if len(s) >= 3]
        name = g.findtext(f"{SVG}title") or "?"
        for b in text_boxes(g):
            corners = [(b.x0, b.y0), (b.x1, b.y0), (b.x0, b.y1), (b.x1, b.y1)]
            if not any(all(_inside(c, s) for c in corners) for s in shapes):
                problems.append(f"{name}: {b.text!r}")
    return problems


def svg_size(svg: bytes | str) -> tuple[float, float]:
    root = ET.fromstring(svg)
    return float(root.get("width", "0").removesuffix("pt")), float(root.get("height", "0").removesuffix("pt"))


def _crosses(path: list[tuple[float, float]], b: Box) -> bool:
    for (x1, y1), (x2, y2) in zip(path, path[1:], strict=False):
        for k in range(0, 11):
            t = k / 10
            x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
            if b.x0 <= x <= b.x1 and b.y0 <= y <= b.y1:
                return True
    return False


def edges_through_cluster_labels(svg: bytes | str) -> list[str]:
    """(cluster label, edge) pairs where the edge's drawn path passes through the label's text."""
    root = ET.fromstring(svg)
    labels = [(g.findtext(f"{SVG}title") or "?", b) for g in root.iter(f"{SVG}g") if g.get("class") == "cluster"
              for b in text_boxes(g)]
    out = []
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "edge":
            continue
        paths = [_path(p.get("d", "")) for p in g.iter(f"{SVG}path")]
        for _name, b in labels:
            if any(_crosses(p, b) for p in paths):
                out.append(f"{b.text!r} crossed by {g.findtext(f'{SVG}title')}")
    return out


def _segments_cross(a, b, c, d) -> bool:
    """Whether segment ab properly crosses segment cd."""
    def side(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    d1, d2, d3, d4 = side(c, d, a), side(c, d, b), side(a, b, c), side(a, b, d)
    return (d1 > 0) != (d2 > 0) and (d3 > 0) != (d4 > 0) and 0 not in (d1, d2, d3, d4)


def edge_paths(svg: bytes | str) -> dict[str, list[tuple[float, float]]]:
    """Each drawn edge (by its title, ``a->b``) as a polyline; invisible edges are left out."""
    root = ET.fromstring(svg)
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "edge":
            paths = [_path(p.get("d", "")) for p in g.iter(f"{SVG}path") if p.get("stroke") != "transparent"]
            if paths and paths[0]:
                out[g.findtext(f"{SVG}title") or "?"] = paths[0]
    return out


def edge_crossings(svg: bytes | str) -> dict[str, int]:
    """For each edge, how many other edges its drawn path crosses (edges sharing an end node are not
    counted: they meet at that node by construction)."""
    paths = edge_paths(svg)
    ends = {name: set(name.split("->")) for name in paths}
    count = dict.fromkeys(paths, 0)
    names = list(paths)
    for i, a in enumerate(names):
        pa = paths[a]
        for b in names[i + 1:]:
            if ends[a] & ends[b]:
                continue
            pb = paths[b]
            if any(_segments_cross(p, q, r, s) for p, q in zip(pa, pa[1:], strict=False)
                   for r, s in zip(pb, pb[1:], strict=False)):
                count[a] += 1
                count[b] += 1
    return count


def edge_length(path: list[tuple[float, float]]) -> float:
    return sum(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 for (x1, y1), (x2, y2) in zip(path, path[1:], strict=False))
