"""The commands layer: the command line (``cli``) and one module per ``argmap`` subcommand, each with
``add_parser(subparsers)`` and ``run(args) -> int``: parse arguments, call the library, print.

It may import every other layer.
"""
