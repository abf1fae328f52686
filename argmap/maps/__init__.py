"""The map layer: argument files to a resolved, checked map (pydantic file models, resolution, overlays,
observations, checks, the bundled map, report sections, scaffolds for new files).

It may import the base layer.
"""
