"""The views layer: diagrams, the post bundle and the explorer page, which compute with the analyses
and hand plain numbers to ``render`` to draw (``assets/`` holds the page's JavaScript, CSS and template).

It may import every layer below the commands: analysis, api, render, inference, maps and base.
"""
