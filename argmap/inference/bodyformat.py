"""The version of a compiled-map cache body's layout, apart from the codec that writes it
(:mod:`argmap.inference.cachecodec`): the cache's checks name it in every entry's header, and read it without
importing the codec and numpy (a run whose report is kept needs neither: :mod:`argmap.commands.runkept`)."""

FORMAT = 12
"""Version of the body's layout; bump it whenever what is stored changes."""
