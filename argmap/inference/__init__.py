"""The inference layer: a resolved map compiled to a network of CPTs over one parameter vector, exact
batched variable elimination, credence distributions, the compiled-map cache and the network as JSON.

It may import the map and base layers.
"""
