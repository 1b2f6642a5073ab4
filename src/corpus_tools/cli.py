"""The ``corpus-tools`` command: validate, draft or update a document, release, build the
student copy, export, score."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .annotate.file_export import FORMATS
from .errors import CorpusError

if TYPE_CHECKING:
    from .corpus.manifest import DocumentManifest

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (0 ok, 1 invalid corpus, 2 usage)."""
    parser = _parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            return args.run(args)
        except CorpusError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:  # a file-system failure no loader foresaw: still one line
            where = f"{exc.filename}: " if exc.filename else ""
            print(
                f"error: {where}{exc.strerror or exc}; check the path and try again",
                file=sys.stderr,
            )
            return 1
        except KeyboardInterrupt:
            print("stopped; nothing half-written was left behind", file=sys.stderr)
            return 130


def _show_warning(message: Warning | str, *_: object, **__: object) -> None:
    """A warning in the terminal is one line, without the code that raised it."""
    print(f"warning: {message}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corpus-tools", description="Work with the Riyadh readouts reading corpus."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check every file of a corpus")
    validate.add_argument(
        "path", nargs="?", type=Path, help="corpus folder (default: the nearest corpus/)"
    )
    validate.add_argument(
        "--write-offsets", action="store_true",
        help="write the offsets found for sections given by their words into their files",
    )  # fmt: skip
    validate.set_defaults(run=_validate)

    new = commands.add_parser(
        "new", help="copy a text into sources/ and draft its document file for you to complete"
    )
    new.add_argument("source", type=Path, help="the text, UTF-8, exactly as it is to be read")
    new.add_argument("--id", help="the document's id (default: from the file name)")
    _corpus_option(new)
    new.set_defaults(run=_new)

    update = commands.add_parser(
        "update",
        help="carry a document, its keys, translations, alignment and annotations over to a new "
        "version of its source (a dry run unless --apply)",
    )
    update.add_argument("document", help="the document's id")
    update.add_argument("source", type=Path, help="the new version of the text, UTF-8, as is")
    update.add_argument("--apply", action="store_true", help="write the changes listed")
    update.add_argument(
        "--force", action="store_true", help="apply although something needs review"
    )
    update.add_argument(
        "--annotations", type=Path,
        help="students' annotation files (default: $CORPUS_TOOLS_ANNOTATIONS, else annotations/ "
        "beside the corpus)",
    )  # fmt: skip
    update.add_argument("--notebooks", type=Path, help="notebooks (default: notebooks/)")
    _corpus_option(update)
    update.set_defaults(run=_update)

    release = commands.add_parser(
        "release", help="write student notebooks (no solutions) and the answer key"
    )
    release.add_argument("outdir", type=Path, help="folder to write (must be empty or absent)")
    release.add_argument("--force", action="store_true", help="replace an earlier release there")
    release.add_argument("--notebooks", type=Path, help="source notebooks (default: notebooks/)")
    _corpus_option(release)
    release.add_argument(
        "--nbgrader",
        metavar="ASSIGNMENT",
        help="instead, make OUTDIR an nbgrader course: OUTDIR/source/ASSIGNMENT/ (the students' "
        "notebooks with model answers, and the student corpus) and OUTDIR/nbgrader_config.py; "
        "--force replaces only that assignment",
    )
    release.set_defaults(run=_release)

    student = commands.add_parser(
        "student",
        help="build or refresh the student's copy of the notebooks (what `make lab` opens)",
    )
    student.add_argument("folder", type=Path, help="the student's folder, e.g. student/")
    student.add_argument("--notebooks", type=Path, help="source notebooks (default: notebooks/)")
    _corpus_option(student)
    student.set_defaults(run=_student)

    export = commands.add_parser("export", help="write the corpus in formats other tools read")
    kinds = export.add_subparsers(required=True, metavar="WHAT")
    for what, help_text in (
        ("layers", "every layer as Parquet, for DuckDB, Spark or pandas"),
        ("glossary", "CSV, TSV, TBX, DeepL entries, Anki deck"),
    ):
        kind = kinds.add_parser(what, help=help_text)
        kind.add_argument("outdir", type=Path, help="folder to write into (created if needed)")
        _corpus_option(kind)
        kind.set_defaults(run=_export, what=what)
    annotations = kinds.add_parser(
        "annotations", help="a student's annotation file as W3C, brat, INCEpTION XMI and CSV"
    )
    annotations.add_argument("file", type=Path, help="the student's annotations (.jsonl)")
    annotations.add_argument("outdir", type=Path, help="folder to write into (created if needed)")
    annotations.add_argument(
        "--format", action="append", choices=FORMATS, dest="formats",
        help="write only this format (repeat for several; default: all)",
    )  # fmt: skip
    _corpus_option(annotations)
    annotations.set_defaults(run=_export_annotations)

    score = commands.add_parser(
        "score", help="score students' annotation files against a key; agreement, disagreement"
    )
    score.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="students' .jsonl (or --nbgrader)"
    )
    grading_against = score.add_mutually_exclusive_group(required=True)
    grading_against.add_argument(
        "--assignment",
        help="the assignment the students did (an id in corpus/assignments/, or a .yaml file): "
        "scores only inside its passages, against its key",
    )
    grading_against.add_argument(
        "--key",
        help="an answer key (a .jsonl file, or the name of a key in corpus/keys/), scored "
        "wherever it has spans",
    )
    score.add_argument(
        "--out", type=Path, default=Path("grading-report"), help="report folder (grading-report)"
    )
    _corpus_option(score)
    score.add_argument(
        "--nbgrader",
        type=Path,
        metavar="SUBMITTED",
        help="nbgrader's submitted/ folder, instead of FILEs: scores every "
        "SUBMITTED/<student id>/NAME/annotations/*.jsonl, each student named by their id",
    )
    score.add_argument(
        "--nbgrader-assignment",
        default="riyadh",
        metavar="NAME",
        help="the nbgrader assignment with --nbgrader (riyadh)",
    )
    score.set_defaults(run=_score)
    return parser


def _validate(args: argparse.Namespace) -> int:
    from .validation import validate

    report = validate(args.path)
    for doc in report.documents:
        print(
            f"ok  {doc.id}: {len(doc.text):,} characters, {len(doc.sections)} sections, "
            f"{len(doc.paragraphs)} paragraphs, {len(doc.sentences)} sentences, "
            f"{len(doc.tokens):,} tokens"
        )
        if args.write_offsets:
            _write_offsets(doc.manifest)
    for note in report.notes:
        print(f"note: {note}")
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    if report.problems:
        print(f"{len(report.problems)} problem(s) in {report.root}", file=sys.stderr)
        return 1
    print(
        f"{len(report.documents)} document(s) valid in {report.root}, and "
        f"{len(report.checked)} other file(s)"
    )
    return 0


def _write_offsets(manifest: DocumentManifest) -> None:
    from .corpus.authoring import write_found_offsets

    written = write_found_offsets(manifest)
    if written:
        print(f"    wrote start and end of {', '.join(written)} into {manifest.path}")


def _new(args: argparse.Namespace) -> int:
    from .corpus import find_corpus_root
    from .corpus.authoring import draft_document

    root = args.corpus or find_corpus_root()
    for path in draft_document(args.source, root, args.id):
        print(path)
    print("next: replace every FILL IN in the draft, then run corpus-tools validate")
    return 0


def _update(args: argparse.Namespace) -> int:
    from .corpus import find_corpus_root
    from .update import apply_update, plan_update

    plan = plan_update(
        args.document, args.source, args.corpus or find_corpus_root(),
        annotations=args.annotations, notebooks=args.notebooks,
    )  # fmt: skip
    print(plan.summary())
    if not args.apply:
        print("dry run: nothing was written; run again with --apply to write these changes")
        return 0
    for path in apply_update(plan, force=args.force):
        print(f"wrote {path}")
    print("next: replace every FILL IN (new sections, new translations), check each translation "
          "marked stale, then run corpus-tools validate")  # fmt: skip
    return 0


def _release(args: argparse.Namespace) -> int:
    from .release import release

    if args.nbgrader is not None:
        from .nbgrader_course import write_source

        source = write_source(
            args.outdir, args.nbgrader, args.notebooks, args.corpus, force=args.force
        )
        print(source.summary())
        return 0
    written = release(args.outdir, args.notebooks, args.corpus, force=args.force)
    print(written.summary())
    return 0


def _student(args: argparse.Namespace) -> int:
    from .student_copy import sync_student_copy

    print(sync_student_copy(args.folder, notebooks=args.notebooks, corpus=args.corpus))
    return 0


def _corpus_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: the nearest corpus/)")


def _export_annotations(args: argparse.Namespace) -> int:
    from .annotate.file_export import export_annotation_file
    from .corpus import load_corpus

    done = export_annotation_file(
        args.file, args.outdir, load_corpus(args.corpus), args.formats or FORMATS
    )
    print(done.summary())
    return 0


def _export(args: argparse.Namespace) -> int:
    from .corpus import load_corpus

    corpus = load_corpus(args.corpus)
    if args.what == "layers":
        from .corpus.parquet import export_layers

        written = export_layers(corpus, args.outdir)
    else:
        from .glossary import load_glossary
        from .glossary.exports import export_glossary

        written = export_glossary(load_glossary(corpus), args.outdir)
    for path in written:
        print(path)
    return 0


def _score(args: argparse.Namespace) -> int:
    from .annotate.assignments import load_assignment
    from .annotate.keys import key_file, load_key
    from .annotate.tagsets import load_tagsets
    from .corpus import load_corpus
    from .errors import GradingError
    from .grading import grade, load_class, summary, write_report

    if bool(args.files) == (args.nbgrader is not None):
        print("error: give the students' files or --nbgrader SUBMITTED, not both", file=sys.stderr)
        return 2
    files, students = _score_files(args)
    corpus = load_corpus(args.corpus)
    texts = {doc.id: doc.text for doc in corpus.values()}
    assignment = load_assignment(args.assignment, corpus) if args.assignment else None
    key_name = assignment.key if assignment is not None else args.key
    key = tuple(load_key(key_name, corpus))
    key_path = key_file(key_name, corpus.root / "keys")
    klass = load_class(files, texts, key=key, key_path=key_path, students=students)
    if not klass.submissions:
        for skipped in klass.skipped:
            print(f"skipped {skipped}", file=sys.stderr)
        raise GradingError(
            f"none of the {len(files)} file(s) given could be scored; give the students' "
            "annotation files (.jsonl) for the key's document and tag set"
        )
    tagsets = load_tagsets(corpus.root / "tagsets")
    used = sorted({a.tagset for a in key})
    chosen = [tagsets[t] for t in used if t in tagsets]
    tags = [label.name for tagset in chosen for label in tagset.labels]
    unjudgeable = {name for tagset in chosen for name in tagset.needs_original}
    if assignment is not None:
        where = ", ".join(p.id for p in assignment.passages)
        print(f"assignment {assignment.id}: {assignment.tagset.id} on {where}")
    print(f"key {key_path}: {len(key)} annotations, tag set(s) {', '.join(used)}")
    results = grade(
        key, klass, corpus, tags=tags, assignment=assignment, needs_original=unjudgeable
    )
    print(summary(results))
    for path in write_report(results, args.out):
        print(f"wrote {path}")
    return 0


def _score_files(args: argparse.Namespace) -> tuple[list[Path], dict[Path, str] | None]:
    """The files to score and, from nbgrader's submitted/ folder, each one's student id."""
    if args.nbgrader is None:
        return list(args.files), None
    from .nbgrader_course import submitted_annotations

    found = submitted_annotations(args.nbgrader, args.nbgrader_assignment)
    print(found.summary())
    return list(found.files), found.files


if __name__ == "__main__":
    raise SystemExit(main())
