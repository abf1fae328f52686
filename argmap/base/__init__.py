"""The base layer: ideas every other layer shares (errors, safe text and file reading, atomic writes,
numbers and their parsing, safe YAML, how a probability is shown, the verbal-probability scale).

It may import nothing of argmap's but its own modules and ``argmap._version``.
"""
