"""The version of a compiled-map cache body's layout, apart from the codec that writes it
(:mod:`argmap.inference.cachecodec`): the cache's checks name it in every entry's header, and read it without
importing the codec and numpy (a run whose report is kept needs neither: :mod:`argmap.commands.runkept`), with the
container's constants both the encoder and the numpy-free reader (:mod:`argmap.inference.bodyread`) use."""

import struct

FORMAT = 13
"""Version of the body's layout; bump it whenever what is stored changes."""

MAGIC = b"ARGMAP13"
"""A body's first 8 bytes."""
PREFIX = struct.Struct("<8sQ")
"""The magic and the header's length. (No checksum of its own: a body is decoded only after the cache
verified the entry's HMAC over it.)"""
ALIGN = 8
"""Every array's bytes start at a multiple of this, counted from the first array's."""
