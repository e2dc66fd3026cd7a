"""``python -m stacks docs [--check]``: regenerate the component pages' args and outputs tables."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "docs", help="regenerate the args/outputs tables in docs/components/*.md from the docstrings"
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a page is stale")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from stacks.devtools.docgen import stale_pages, write_pages

    if args.check:
        stale = stale_pages()
        for path in stale:
            print(f"stale: {path} (run `python -m stacks docs`)")
        return 1 if stale else 0
    for path in write_pages():
        print(f"updated {path}")
    return 0
