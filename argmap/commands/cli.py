"""The ``argmap`` command line: a thin layer over :mod:`argmap.api`.

Each subcommand lives in :mod:`argmap.commands` as a module with ``add_parser`` and ``run``. Only
:class:`~argmap.base.errors.ArgmapError` is caught: it is printed plainly and the exit status is 1.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import warnings
from collections.abc import Iterator
from typing import Any, NoReturn

from .._version import __version__
from ..base.gcpause import paused_gc

__all__ = ["main", "console", "COMMANDS"]

COMMANDS = ("run", "check", "parts", "sections", "sensitivity", "render", "export", "compare", "new", "schema",
            "watch", "import", "sources", "docs", "fit", "explore")


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter with the terminal's width read as argparse reads it, without importing shutil
    (:func:`argmap.base.formatting.terminal_columns`): argparse makes one for every ``add_argument``."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None, **kwargs: Any) -> None:      # **kwargs: later Pythons' options
        from ..base.formatting import terminal_columns

        super().__init__(prog, indent_increment, max_help_position,
                         terminal_columns(80) - 2 if width is None else width, **kwargs)


class _Parser(argparse.ArgumentParser):
    """argparse's parser with :class:`_Formatter` unless told otherwise."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or only with command ``only`` (so ``argmap run`` does not import
    the modules of the other commands: start-up time)."""
    parser = _Parser(
        prog="argmap",
        description="Argument maps with conditional credences: propagate, analyse and draw them.",
        epilog="Run 'argmap COMMAND --help' for a command's options and 'argmap docs' for the guides. With no "
               "PATH, commands use the bundled map of Carlsmith's 'Scheming AIs' report. Every command that "
               "writes takes -o/--out and never writes inside a map folder.")
    parser.add_argument("--version", action="version", version=f"argmap {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")      # the commands' parsers are _Parser too
    for name in COMMANDS:
        if only is not None and name != only:
            continue
        module = importlib.import_module(f".{name.replace('import', 'import_')}", __package__)
        p = module.add_parser(sub)
        p.set_defaults(_run=module.run)
    return parser


@contextlib.contextmanager
def _condition_warnings() -> Iterator[None]:
    """Print each :class:`~argmap.base.errors.ConditionWarning` once, as ``warning: ...`` on standard error."""
    from ..base.errors import ConditionWarning
    from ..base.textsafe import visible

    def show(message, category, *_args, **_kw) -> None:
        if issubclass(category, ConditionWarning):
            print(visible(f"warning: {message}"), file=sys.stderr)
        else:
            original(message, category, *_args, **_kw)

    with warnings.catch_warnings():
        warnings.simplefilter("once", ConditionWarning)
        original = warnings.showwarning
        warnings.showwarning = show
        yield


_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


def one_blas_thread() -> None:
    """Ask numpy's OpenBLAS for one thread, unless the user chose a number (any of :data:`_BLAS_THREADS`). At
    import OpenBLAS starts a thread per further core that spins, waiting for work: some 40 ms of CPU taken from
    the forked child reading the files (:func:`argmap.commands.common.model_from_args`) on two cores. argmap
    gives BLAS no work worth a thread (einsum runs its own loops; the products are of short vectors)."""
    if not any(name in os.environ for name in _BLAS_THREADS):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"


_PLUGIN_LOADER = "pydantic.plugin._loader"


@contextlib.contextmanager
def _no_pydantic_plugins() -> Iterator[None]:
    """Within, pydantic finds no plugins, as with ``PYDANTIC_DISABLE_PLUGINS=__all__``, without importing
    ``importlib.metadata``. pydantic looks its plugins up (entry points of the group ``pydantic``) when it builds
    its first validator, and the module that does so imports ``importlib.metadata`` at the top: ~18 ms of a cold
    run's forked reader, the run's critical path, with no plugin installed. The module is stood in for by one whose
    ``get_plugins`` finds none (any other name asked of it loads pydantic's own); left alone where
    ``PYDANTIC_DISABLE_PLUGINS`` names plugins to leave out, or where pydantic's own is loaded already. The
    command line's own models are validated without plugins; after :func:`main`, pydantic loads its own."""
    setting = os.environ.get("PYDANTIC_DISABLE_PLUGINS")
    if _PLUGIN_LOADER in sys.modules or setting not in (None, "__all__", "1", "true"):
        yield
        return
    import types

    stand_in = types.ModuleType(_PLUGIN_LOADER)

    def get_plugins(*_args: Any, **_kwargs: Any) -> tuple[()]:
        return ()

    def own(name: str) -> Any:
        if name.startswith("__"):                   # what the import system asks of every module
            raise AttributeError(name)
        if sys.modules.get(_PLUGIN_LOADER) is stand_in:
            del sys.modules[_PLUGIN_LOADER]
        return getattr(importlib.import_module(_PLUGIN_LOADER), name)

    stand_in.get_plugins = get_plugins              # type: ignore[attr-defined]
    stand_in.__getattr__ = own                      # type: ignore[method-assign]
    sys.modules[_PLUGIN_LOADER] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(_PLUGIN_LOADER) is stand_in:
            del sys.modules[_PLUGIN_LOADER]


def main(argv: list[str] | None = None) -> int:
    one_blas_thread()
    with _no_pydantic_plugins():
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    words = sys.argv[1:] if argv is None else argv
    first = next((w for w in words if not w.startswith("-")), None)
    with paused_gc():       # start-up (the command's modules, the parser) makes no garbage worth collecting
        from ..base.errors import ArgmapError

        parser = build_parser(first if first in COMMANDS else None)
        args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        with _condition_warnings():
            if getattr(args, "no_cache", False):
                with paused_gc():
                    from ..inference.cache import disabled

                with disabled():
                    return int(args._run(args) or 0)
            return int(args._run(args) or 0)
    except ArgmapError as err:
        print(err.format(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def console() -> NoReturn:
    """The ``argmap`` command (its script, ``python -m argmap``): :func:`main`, then the process ends without the
    interpreter's teardown, which frees every object one by one though the process ends anyway (the map, numpy's
    modules: ~5-10 ms of a cold run of the bundled map, 25-45 ms at 10,000 claims). What the teardown does that
    matters is done first: the functions registered with :mod:`atexit` run and the standard streams are flushed
    (argmap closes every file it writes). Where another thread still runs, or a stream will not flush (a closed
    pipe), the interpreter ends as usual."""
    code = main()
    threading = sys.modules.get("threading")
    if threading is None or threading.active_count() == 1:
        import atexit

        atexit._run_exitfuncs()
        try:
            for stream in (sys.stdout, sys.stderr):
                if stream is not None:
                    stream.flush()
        except (OSError, ValueError):
            sys.exit(code)                      # reported as Python reports it
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
