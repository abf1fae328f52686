"""Screenshots of the explorer page for the README: a reader writing a critique, and the guided mode.

    python docs/make_explore_shots.py          # writes docs/explore-critique.png and docs/explore-guided.png

Drives the bundled map's page in headless Chromium (tests/browser.py) the way a reader would, then
saves each view 800 px wide (the README's column).
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def _save(png: bytes, out: Path, width: int = 800) -> None:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    img = img.resize((width, round(img.height * width / img.width)), Image.LANCZOS)
    img.save(out, optimize=True)
    print(f"wrote {out} ({img.width}x{img.height})")


def main() -> int:
    from browser import launch
    from playwright.sync_api import sync_playwright

    from argmap.commands.cli import main as argmap_main

    page_path = Path(tempfile.mkdtemp()) / "explore.html"
    argmap_main(["explore", "-o", str(page_path)])
    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(viewport={"width": 1200, "height": 1250})
        page.goto(page_path.as_uri())
        page.wait_for_selector("body[data-ready=true]")
        # a critique: one claim against a non-classic story, by word; the page draws it beside that story's
        # part (orange dashed outline) and the chain from it to the target
        page.fill("#cr-name", "A. Reader")
        page.fill("#cr-source", "https://example.org/my-post")
        page.fill("#cr-title", "SGD's inductive biases favour simple, myopic goals")
        page.select_option("#cr-type", "opposes")
        target = "nonclassic_story" if page.locator("#cr-target option[value=nonclassic_story]").count() else \
            page.eval_on_selector("#cr-target", "s => s.options[0].value")
        page.select_option("#cr-target", target)
        page.select_option("#cr-cword", "plausible")
        page.select_option("#cr-sword", "strong")
        page.fill("#cr-why", "simplicity arguments cut both ways (report 4.3)")
        page.click("#cr-add")
        page.wait_for_selector("#headline-spread[data-lo]", timeout=60000)
        page.click("#diagram g.node[data-id='scheming']")
        # the chain in the claim's dialog, moved over the side panel so the diagram shows the reader's claim
        page.evaluate("(() => { const side = document.querySelector('.side'); "
                      "side.scrollTop = document.querySelector('.critique').offsetTop - side.offsetTop; "
                      "const d = document.getElementById('claim-dialog'); "
                      "Object.assign(d.style, {left: 'auto', right: '12px', top: '300px', transform: 'none'}); "
                      "window.scrollTo(0, 0); })()")
        _save(page.screenshot(), ROOT / "docs" / "explore-critique.png")
        page.click("#dlg-close")
        page.click("#reset")
        # the guided mode: three answers, then the reader's figure beside the others
        page.click("#guide-open")
        page.select_option("#guide-word", "unlikely")
        page.click("#guide-answer")
        page.fill("#guide-p", "0.4")
        page.click("#guide-answer")
        page.select_option("#guide-word", "plausible")
        page.click("#guide-answer")
        page.click("#guide-stop")
        page.wait_for_selector("#headline-spread[data-lo]", timeout=60000)
        page.evaluate("(() => { const side = document.querySelector('.side'); "
                      "side.scrollTop = document.querySelector('#guide-q').offsetTop - side.offsetTop - 10; "
                      "window.scrollTo(0, 0); })()")
        _save(page.screenshot(), ROOT / "docs" / "explore-guided.png")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
