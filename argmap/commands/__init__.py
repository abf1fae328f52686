"""One module per ``argmap`` subcommand: ``add_parser(subparsers)`` and ``run(args) -> int``."""
