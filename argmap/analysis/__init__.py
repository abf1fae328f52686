"""The analysis layer: what is computed from a ``Model`` (sensitivity, symbolic formulas, attribution,
pooling, comparison, fitting, provenance, text reports, interchange with other tools and formats).

It may import the api, render, inference, map and base layers.
"""
