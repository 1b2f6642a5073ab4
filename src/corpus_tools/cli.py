"""The ``corpus-tools`` command: validate the corpus and export it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import CorpusError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (0 ok, 1 invalid corpus, 2 usage)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corpus-tools", description="Work with the Riyadh readouts reading corpus."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check every file of a corpus")
    validate.add_argument(
        "path", nargs="?", type=Path, help="corpus folder (default: the nearest corpus/)"
    )
    validate.set_defaults(run=_validate)

    export = commands.add_parser("export", help="write the corpus in formats other tools read")
    export.add_argument(
        "what",
        choices=["layers", "glossary"],
        help="layers: every layer as Parquet; glossary: CSV, TSV, TBX, DeepL entries, Anki deck",
    )
    export.add_argument("outdir", type=Path, help="folder to write into (created if needed)")
    export.add_argument("--corpus", type=Path, help="corpus folder (default: the nearest corpus/)")
    export.set_defaults(run=_export)
    return parser


def _validate(args: argparse.Namespace) -> int:
    from .corpus import load_corpus

    corpus = load_corpus(args.path)
    for doc in corpus.values():
        print(
            f"ok  {doc.id}: {len(doc.text):,} characters, {len(doc.sections)} sections, "
            f"{len(doc.paragraphs)} paragraphs, {len(doc.sentences)} sentences, "
            f"{len(doc.tokens):,} tokens"
        )
    print(f"{len(corpus)} document(s) valid in {corpus.root}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .corpus import load_corpus

    corpus = load_corpus(args.corpus)
    if args.what == "layers":
        from .export import export_layers

        written = export_layers(corpus, args.outdir)
    else:
        from .glossary import load_glossary
        from .termbase import export_glossary

        written = export_glossary(load_glossary(corpus), args.outdir)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
