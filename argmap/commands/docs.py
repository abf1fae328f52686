"""``argmap docs [NAME]``: the guides shipped with the package (the repository's docs/ folder)."""

from __future__ import annotations

from ..base.errors import QueryError, did_you_mean


def add_parser(sub):
    p = sub.add_parser("docs",
                       help="read a guide: format, diagrams, sensitivity, critique-guide, interchange, security",
                       description="Print one of the guides installed with argmap (the Markdown files of the "
                                   "repository's docs folder), or list them.")
    p.add_argument("name", nargs="?", metavar="NAME", help="the guide to print (default: list them)")
    p.add_argument("--path", action="store_true", help="print the guide's file path instead of its text")
    return p


def run(args) -> int:
    from ..maps.bundled import docs_dir

    folder = docs_dir()
    guides = {p.stem: p for p in sorted(folder.glob("*.md"))}
    if not args.name:
        for name, path in guides.items():
            first = next((ln.lstrip("# ").strip() for ln in path.read_text(encoding="utf-8").splitlines()
                          if ln.strip()), "")
            print(f"{name:<16} {first}")
        print(f"\nfolder: {folder}   (argmap docs NAME prints one)")
        return 0
    name = args.name.removesuffix(".md")
    if name not in guides:
        hint = did_you_mean(name, guides)
        raise QueryError(f"no guide named '{args.name}'" + (f"; {hint}" if hint else "")
                         + f" (guides: {', '.join(guides)})")
    print(guides[name] if args.path else guides[name].read_text(encoding="utf-8"), end="" if not args.path else "\n")
    return 0
