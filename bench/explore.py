"""How fast the explorer page answers one slider movement, in headless Chromium (the system's package).

    python bench/explore.py                     # the bundled map with every bundled overlay offered
    python bench/explore.py --moves 400 --page exports/scheming/explore.html
    python bench/explore.py --moves 150 --edits 200 --page PAGE    # more critique edits for the tail

For each move the page gets an ``input`` event on a number's slider, exactly as from a reader: the
page recomputes every marginal, repaints the diagram, the headline, the moved list and the controls.
Timed with ``performance.now()`` inside the page:

* **handler**: from dispatching the event to the end of the handler, plus a forced style and layout
  (reading a layout property), i.e. all the work a movement triggers before the browser paints;
* **frame**: from dispatching to the next animation frame after it, which includes the browser's own
  rendering work for that frame;
* **evaluate**: the evaluator alone (fill the CPTs, forward and backward pass), for comparison with the
  Python engine's ``Engine.marginals`` on the same query, timed side by side in this process.

Then a reader writes a critique: claims added through the page's form, taken back, relations removed;
each edit recompiles the map in the page (compile.js), recomputes and repaints, timed the same way.

Moves alternate between several kinds of number (a root credence, a ratio, a leak, a base) across the
map. Prints medians, 90th and 95th percentiles in milliseconds, and for critique edits each stage of
``Explore.update`` (``Explore.lastUpdateParts``: apply the edits to the map, compile, marginals, numbers
panel, lists, diagram, moved list, interval scheduling); the target is at most 16 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

_MOVES = """async ([moves, allOpen]) => {
  // a reader opens one part and moves its numbers; then, as a worst case, every part is open
  const parts = Array.from(document.querySelectorAll('details.part'));
  parts.forEach(d => d.open = allOpen || d === parts[0]);
  const ranges = Array.from(document.querySelectorAll('details.part[open] .param input[type=range]'));
  const pick = [];
  const seen = new Set();
  for (const r of ranges) {             // one control per kind of number, then the rest
    const kind = r.closest('.param').querySelector('.meta').textContent.split(' ')[0];
    if (!seen.has(kind)) { seen.add(kind); pick.push(r); }
  }
  for (let i = 0; i < ranges.length && pick.length < 12; i += 7) pick.push(ranges[i]);
  const handler = [], frame = [], inner = [];
  const nextFrame = () => new Promise(res => requestAnimationFrame(() => res(performance.now())));
  for (let i = 0; i < moves; i++) {
    const r = pick[i % pick.length];
    r.value = String((Number(r.value) + 37 + i) % 1000);
    await nextFrame();
    void document.body.offsetHeight;    // the setup's own style and layout (a reader's earlier frames)
    const t0 = performance.now();
    r.dispatchEvent(new Event('input', {bubbles: true}));
    void document.getElementById('diagram').getBoundingClientRect().width;
    void document.body.offsetHeight;
    handler.push(performance.now() - t0);
    inner.push(Explore.lastUpdateMs);
    frame.push((await nextFrame()) - t0);
  }
  const cur = Explore.current();
  const theta = Float64Array.from(cur.net.net.theta);
  const ev = [];
  for (let i = 0; i < moves; i++) {
    const t0 = performance.now();
    cur.net.marginals(theta, cur.cond.given, cur.cond.set);
    ev.push(performance.now() - t0);
  }
  return {handler, frame, inner, evaluate: ev, controls: pick.length, claims: cur.net.n};
}"""


_EDITS = """async (edits) => {
  // a reader writing a critique: each edit adds a claim through the form (an opposing or supporting
  // argument into one of the claims it can bear on), the page recompiles the map and repaints; every
  // fourth edit takes the oldest claim back, and every third removes a relation and restores it
  const targets = Explore.targets('opposes');
  const handler = [], frame = [], compile = [], parts = [];
  const nextFrame = () => new Promise(res => requestAnimationFrame(() => res(performance.now())));
  const add = document.getElementById('cr-add');
  for (let i = 0; i < edits; i++) {
    document.getElementById('cr-title').value = 'Reader argument ' + i;
    document.getElementById('cr-type').value = i % 2 ? 'supports' : 'opposes';
    document.getElementById('cr-type').dispatchEvent(new Event('change'));
    const sel = document.getElementById('cr-target');
    sel.value = targets[(7 * i) % targets.length];
    if (!sel.value) sel.selectedIndex = i % sel.options.length;
    await nextFrame();
    // the form's own restyle (choosing the kind rebuilds the list of claims it can bear on) happened in
    // a reader's earlier frames: flushed here, so the time is the click's alone
    void document.body.offsetHeight;
    const t0 = performance.now();
    if (i % 4 === 3) document.querySelector('#cr-list button').click();
    else if (i % 3 === 2) {
      const b = document.querySelectorAll('.param button.remove');
      b[(5 * i) % b.length].click();
    } else add.click();
    void document.getElementById('diagram').getBoundingClientRect().width;
    void document.body.offsetHeight;
    handler.push(performance.now() - t0);
    compile.push(Explore.lastUpdateMs);
    parts.push(Explore.lastUpdateParts);
    frame.push((await nextFrame()) - t0);
  }
  return {handler, frame, inner: compile, parts, claims: Object.keys(Explore.current().map.claims).length};
}"""


def _stats(xs: list[float]) -> str:
    xs = sorted(xs)
    return (f"median {statistics.median(xs):.2f} ms, p90 {xs[int(0.9 * (len(xs) - 1))]:.2f} ms, "
            f"p95 {xs[int(0.95 * (len(xs) - 1))]:.2f} ms")


def main() -> int:
    from browser import chromium_path, launch, missing_reason
    from playwright.sync_api import sync_playwright

    from argmap import Model
    from argmap.commands.cli import main as argmap_main

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--page", help="an explorer page (default: write one for the bundled map)")
    ap.add_argument("--moves", type=int, default=300)
    ap.add_argument("--edits", type=int, help="critique edits (default: a third of --moves)")
    args = ap.parse_args()
    why = missing_reason()
    if why:
        print(f"cannot run: {why}", file=sys.stderr)
        return 1
    page_path = Path(args.page) if args.page else Path(tempfile.mkdtemp()) / "explore.html"
    if not args.page:
        argmap_main(["explore", "-o", str(page_path)])
    with sync_playwright() as pw:
        browser = launch(pw)
        version = browser.version
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(page_path.resolve().as_uri())
        page.wait_for_selector("body[data-ready=true]", timeout=30000)
        out = page.evaluate(_MOVES, [args.moves, False])
        worst = page.evaluate(_MOVES, [args.moves // 2, True])
        page.goto(page_path.resolve().as_uri())
        page.wait_for_selector("body[data-ready=true]", timeout=30000)
        edits = page.evaluate(_EDITS, args.edits or args.moves // 3)
        browser.close()
    model = Model.load()
    cond = model.conditions()
    theta = model.network.theta0.copy()      # (given θ, the engine computes; at its own numbers it keeps results)
    model.engine.marginals(cond.given, cond.set, theta)
    py = []
    for _ in range(args.moves):
        t0 = time.perf_counter()
        model.engine.marginals(cond.given, cond.set, theta)
        py.append(1000 * (time.perf_counter() - t0))
    print(f"page: {page_path} ({page_path.stat().st_size / 1e6:.2f} MB); Chromium {version} at {chromium_path()}")
    print(f"{args.moves} slider movements over {out['controls']} controls; {out['claims']} claims")
    print(f"handler (recompute + repaint + layout): {_stats(out['handler'])}")
    print(f"  of which Explore.update:              {_stats(out['inner'])}")
    print(f"to the next frame:                      {_stats(out['frame'])}")
    print(f"every part's numbers open, handler:     {_stats(worst['handler'])}")
    print(f"every part's numbers open, next frame:  {_stats(worst['frame'])}")
    print(f"{len(edits['handler'])} critique edits (add a claim, take one back, remove a relation): "
          f"{edits['claims']} claims at the end")
    print(f"  handler (recompile + recompute + repaint + layout): {_stats(edits['handler'])}")
    print(f"  of which Explore.update:                          {_stats(edits['inner'])}")
    parts = [p or {} for p in edits["parts"]]          # (a page before Explore.lastUpdateParts has none)
    for stage in sorted({k for p in parts for k in p}):
        print(f"    {stage + ':':47s}{_stats([p.get(stage, 0.0) for p in parts])}")
    print(f"  to the next frame:                                {_stats(edits['frame'])}")
    print(f"evaluator alone (all marginals):        {_stats(out['evaluate'])}")
    print(f"Python Engine.marginals, same query:    {_stats(py)}")
    print(f"ratio Python / JavaScript (medians):    {statistics.median(py) / statistics.median(out['evaluate']):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
