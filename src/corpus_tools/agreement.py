"""How far a class agrees, token by token: Krippendorff's alpha, Cohen's kappa, disagreement.

Agreement
    Over the tokens of the sections the key covers, each annotator marks each token 1 for a tag
    if any of their spans with that tag overlaps it, else 0 (:func:`token_marks`).  Per tag,
    :func:`agreement` gives Krippendorff's alpha (nominal, the ``krippendorff`` package) and the
    mean of Cohen's kappa over all pairs of annotators (:func:`pairwise_kappa`, vectorised).
    Both are NaN, with the reason in the ``note`` column, when they are undefined: fewer than two
    annotators, or a tag whose marks are all equal (nobody used it, or everybody marked every
    token).  A pair of annotators who both marked nothing (or everything) has no kappa; the mean
    is over the pairs that have one.

Disagreement
    :func:`disagreement` gives each token the share of annotator pairs who tag it differently
    (their sets of tags on the token differ), and per tag the share of pairs of whom one marked
    the token and the other did not.  0 means everyone agrees; the per-tag share can reach about
    0.5 (half the class marked the token), the overall share up to 1 (every pair differs).  For
    one tag, its mean over the tokens is alpha's observed disagreement.  Sentences are ranked by
    the mean over their tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .annotate.record import Annotation
from .errors import GradingError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .corpus import Document, Section

__all__ = [
    "Disagreement",
    "TokenMarks",
    "agreement",
    "disagreement",
    "kappa_by_student",
    "key_sections",
    "pairwise_kappa",
    "token_marks",
]


# --- token marks --------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class TokenMarks:
    """Which annotator marked which token with which tag.

    Attributes:
        annotators: the annotators, in the order of ``marks``' first axis.
        tags: the tags, in the order of its second axis.
        tokens: one row per token in scope (doc, token, start, end, text, sentence, paragraph,
            section, language), in the order of its third axis.
        sentences: the sentences of those tokens (doc, sentence, paragraph, section, start, end,
            text).
        marks: ``uint8`` array (annotators, tags, tokens), 1 where a span of the tag overlaps
            the token.
    """

    annotators: tuple[str, ...]
    tags: tuple[str, ...]
    tokens: pd.DataFrame = field(repr=False)
    sentences: pd.DataFrame = field(repr=False)
    marks: np.ndarray = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"<TokenMarks: {len(self.annotators)} annotators, {len(self.tags)} tags, "
            f"{len(self.tokens)} tokens>"
        )


def key_sections(key: Sequence[Annotation], docs: Mapping[str, Document]) -> list[Section]:
    """The top-level sections in which the key has annotations, in document order.

    Raises:
        GradingError: a key annotation is for a document not in ``docs``.
    """
    found: dict[tuple[str, int], Section] = {}
    for annotation in key:
        doc = find_document(docs, annotation.doc_id)
        section = doc.sections.at(annotation.start)
        if section is not None:
            found[doc.id, section.top.index] = section.top
    return [found[k] for k in sorted(found)]


def token_marks(
    annotations: Mapping[str, Sequence[Annotation]],
    docs: Mapping[str, Document],
    sections: Sequence[Section],
    *,
    tags: Sequence[str] | None = None,
) -> TokenMarks:
    """Mark, per annotator and tag, every token of ``sections`` that a span of the tag overlaps.

    Args:
        annotations: each annotator's annotations, by name.
        docs: the documents by id.
        sections: the sections whose tokens are the units (see :func:`key_sections`).
        tags: the tags (default: every tag used, sorted).

    Returns:
        The marks; spans outside the sections' tokens are ignored.
    """
    import numpy as np

    names = tuple(annotations)
    if tags is None:
        tags = sorted({a.tag for anns in annotations.values() for a in anns})
    tokens, sentences = _scope_frames(docs, sections)
    rows = _span_rows(annotations, names, tags, tokens)
    marks = np.zeros((len(names), len(tags), len(tokens) + 1), dtype=np.int32)
    np.add.at(marks, (rows[0], rows[1], rows[2]), 1)
    np.add.at(marks, (rows[0], rows[1], rows[3]), -1)
    covered = (np.cumsum(marks, axis=2)[:, :, :-1] > 0).astype(np.uint8)
    return TokenMarks(names, tuple(tags), tokens, sentences, covered)


def _span_rows(
    annotations: Mapping[str, Sequence[Annotation]],
    names: Sequence[str],
    tags: Sequence[str],
    tokens: pd.DataFrame,
) -> np.ndarray:
    """(annotator, tag, first token, token after the last) of every span that covers a token."""
    import numpy as np

    tag_index = {tag: i for i, tag in enumerate(tags)}
    found = []
    for doc, group in tokens.groupby("doc_id", sort=False):
        offset = int(group.index[0])
        starts, ends = group["start"].to_numpy(), group["end"].to_numpy()
        spans = np.array(
            [(person, tag_index[a.tag], a.start, a.end)
             for person, name in enumerate(names) for a in annotations[name]
             if a.doc_id == doc and a.tag in tag_index],
            dtype=np.int64,
        ).reshape(-1, 4)  # fmt: skip
        first = np.searchsorted(ends, spans[:, 2], side="right")
        last = np.searchsorted(starts, spans[:, 3], side="left")
        keep = first < last
        found.append(np.stack([spans[keep, 0], spans[keep, 1], first[keep] + offset,
                               last[keep] + offset]))  # fmt: skip
    return np.concatenate(found, axis=1) if found else np.zeros((4, 0), dtype=np.int64)


def _scope_frames(
    docs: Mapping[str, Document], sections: Sequence[Section]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tokens of the sections (each once, in document order) and their sentences."""
    import pandas as pd

    if not sections:
        raise GradingError("no sections to measure agreement over; give at least one")
    token_rows: dict[tuple[str, int], dict[str, Any]] = {}
    sentence_rows: dict[tuple[str, int], dict[str, Any]] = {}
    for section in sections:
        doc = find_document(docs, section.doc_id)
        for token in doc.tokens.covered_by(section.start, section.end):
            sentence = token.sentence
            if sentence.paragraph.duplicate_of:
                continue  # a repeated paragraph counts once (see fold_repeated)
            token_rows[doc.id, token.index] = _token_row(doc, token, sentence)
            sentence_rows[doc.id, sentence.index] = _sentence_row(doc, sentence)
    if not token_rows:
        raise GradingError("the sections given have no tokens; choose sections with text")
    tokens = pd.DataFrame([token_rows[k] for k in sorted(token_rows, key=_doc_order(docs))])
    sentences = pd.DataFrame(
        [sentence_rows[k] for k in sorted(sentence_rows, key=_doc_order(docs))]
    )
    return tokens, sentences


def _doc_order(docs: Mapping[str, Document]) -> Callable[[tuple[str, int]], tuple[int, int]]:
    order = {doc_id: i for i, doc_id in enumerate(docs)}
    return lambda k: (order[k[0]], k[1])


def _token_row(doc: Document, token: Any, sentence: Any) -> dict[str, Any]:
    return {
        "doc_id": doc.id, "token": token.id, "start": token.start, "end": token.end,
        "text": token.text, "sentence": sentence.id, "paragraph": sentence.paragraph.id,
        "section": token.section.id, "language": token.language,
    }  # fmt: skip


def _sentence_row(doc: Document, sentence: Any) -> dict[str, Any]:
    return {
        "doc_id": doc.id, "sentence": sentence.id, "paragraph": sentence.paragraph.id,
        "section": sentence.section.id, "start": sentence.start, "end": sentence.end,
        "text": sentence.text,
    }  # fmt: skip


def find_document(docs: Mapping[str, Document], doc_id: str) -> Document:
    """``docs[doc_id]``, or a :class:`GradingError` that lists the documents there are."""
    if doc_id not in docs:
        known = ", ".join(docs) or "none"
        raise GradingError(f"annotations are for document {doc_id!r}, not in the corpus ({known})")
    return docs[doc_id]


# --- agreement ----------------------------------------------------------------------------------
def pairwise_kappa(marks: np.ndarray) -> np.ndarray:
    """Cohen's kappa of every pair of annotators, for one binary variable.

    Args:
        marks: array (annotators, units) of 0 and 1.

    Returns:
        Array (annotators, annotators); NaN on the diagonal and for pairs whose chance
        agreement is 1 (both marked nothing, or both everything), where kappa is undefined.
    """
    import numpy as np

    x = np.asarray(marks, dtype=np.float64)
    units = x.shape[1]
    if units == 0:
        return np.full((len(x), len(x)), np.nan)
    ones = x.sum(axis=1)
    differ = ones[:, None] + ones[None, :] - 2 * (x @ x.T)
    observed = 1 - differ / units
    p = ones / units
    chance = np.outer(p, p) + np.outer(1 - p, 1 - p)
    constant = (ones == 0) | (ones == units)
    undefined = constant[:, None] & constant[None, :] & (ones[:, None] == ones[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = (observed - chance) / (1 - chance)
    kappa[undefined] = np.nan
    np.fill_diagonal(kappa, np.nan)
    return kappa


def agreement(marks: TokenMarks) -> pd.DataFrame:
    """Krippendorff's alpha and mean pairwise Cohen's kappa per tag, over the tokens.

    Args:
        marks: the annotators' token marks (:func:`token_marks`).

    Returns:
        One row per tag: tag, annotators, tokens, used_by (annotators who marked a token),
        marked (share of all marks that are 1), alpha, mean_kappa, kappa_pairs (pairs with a
        kappa) and note (why a value is NaN).
    """
    import pandas as pd

    rows = [_agreement_row(marks, index, tag) for index, tag in enumerate(marks.tags)]
    columns = ["tag", "annotators", "tokens", "used_by", "marked", "alpha", "mean_kappa",
               "kappa_pairs", "note"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def kappa_by_student(marks: TokenMarks) -> pd.DataFrame:
    """Each annotator's mean Cohen's kappa with every other annotator, per tag: a low value
    singles out who tags unlike the rest of the class.

    Args:
        marks: the annotators' token marks (:func:`token_marks`).

    Returns:
        One row per annotator and tag: student, tag, mean_kappa and pairs (the other
        annotators with whom kappa is defined), sorted by tag, then lowest kappa first.
    """
    import numpy as np
    import pandas as pd

    frames = []
    for index, tag in enumerate(marks.tags):
        kappa = pairwise_kappa(marks.marks[:, index, :])
        defined = ~np.isnan(kappa)
        pairs = defined.sum(axis=1)
        total = np.where(defined, kappa, 0).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(pairs > 0, total / pairs, np.nan)
        frames.append(pd.DataFrame({"student": marks.annotators, "tag": tag,
                                    "mean_kappa": mean, "pairs": pairs}))  # fmt: skip
    if not frames:
        return pd.DataFrame(columns=["student", "tag", "mean_kappa", "pairs"])
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["tag", "mean_kappa", "student"], kind="stable").reset_index(drop=True)


def _agreement_row(marks: TokenMarks, index: int, tag: str) -> dict[str, Any]:
    import numpy as np

    data = marks.marks[:, index, :]
    annotators, tokens = data.shape
    alpha, kappa, pairs, note = float("nan"), float("nan"), 0, ""
    if annotators < 2:
        note = "fewer than two annotators"
    elif data.size == 0 or data.min() == data.max():
        note = "nobody used this tag here" if not data.any() else "everyone marked every token"
    else:
        alpha = _alpha(data)
        upper = pairwise_kappa(data)[np.triu_indices(annotators, k=1)]
        defined = upper[~np.isnan(upper)]
        pairs = len(defined)
        kappa = float(defined.mean()) if pairs else float("nan")
    return {
        "tag": tag, "annotators": annotators, "tokens": tokens,
        "used_by": int(data.any(axis=1).sum()), "marked": float(data.mean()) if data.size else 0.0,
        "alpha": alpha, "mean_kappa": kappa, "kappa_pairs": pairs, "note": note,
    }  # fmt: skip


def _alpha(data: np.ndarray) -> float:
    import krippendorff

    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


# --- disagreement -------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Disagreement:
    """How much the class disagrees, per token and per sentence.

    Attributes:
        annotators: how many annotators were compared.
        tokens: the token frame of :class:`TokenMarks` with ``disagreement`` (share of pairs
            whose tags on the token differ).
        by_tag: one row per token (same index as ``tokens``) and one column per tag: the share
            of pairs that differ on that tag (a frame of its own, so that no tag name can
            clash with a column of ``tokens``).
        passages: sentences ranked by mean token disagreement, most disputed first: doc,
            sentence, paragraph, section, start, end, tokens, disagreement, peak, tag (the tag
            disputed most there) and text.
    """

    annotators: int
    tags: tuple[str, ...]
    tokens: pd.DataFrame = field(repr=False)
    by_tag: pd.DataFrame = field(repr=False)
    passages: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"<Disagreement of {self.annotators} annotators over {len(self.tokens)} tokens, "
            f"{len(self.passages)} sentences>"
        )


def disagreement(marks: TokenMarks) -> Disagreement:
    """Per token, the share of annotator pairs who tag it differently; sentences ranked by it.

    Args:
        marks: the annotators' token marks (:func:`token_marks`).

    Returns:
        The per-token and per-sentence disagreement; NaN throughout if there are fewer than
        two annotators.
    """
    import numpy as np
    import pandas as pd

    data = marks.marks
    annotators = data.shape[0]
    pairs = annotators * (annotators - 1) / 2
    tokens = marks.tokens.copy()
    ones = data.sum(axis=0, dtype=np.int64).T  # (tokens, tags): annotators who mark each
    with np.errstate(divide="ignore", invalid="ignore"):
        tokens["disagreement"] = 1 - _agreeing_pairs(data) / pairs if pairs else np.nan
        shares = ones * (annotators - ones) / pairs if pairs else np.full(ones.shape, np.nan)
    by_tag = pd.DataFrame(shares, index=tokens.index, columns=list(marks.tags))
    return Disagreement(annotators, marks.tags, tokens, by_tag, _passages(tokens, by_tag, marks))


def _agreeing_pairs(data: np.ndarray) -> np.ndarray:
    """Per token, the pairs of annotators whose sets of tags on it are equal."""
    import numpy as np

    annotators, _, units = data.shape
    if annotators < 2 or units == 0:
        return np.zeros(units)
    codes = _label_set_codes(data)
    ordered = np.sort(codes, axis=0)
    index = np.arange(annotators)[:, None]
    starts = np.where(np.vstack([np.ones((1, units), bool), ordered[1:] != ordered[:-1]]), index, 0)
    # Each annotator agrees with the earlier ones in its run of equal codes.
    return (index - np.maximum.accumulate(starts, axis=0)).sum(axis=0)


def _label_set_codes(data: np.ndarray) -> np.ndarray:
    """Array (annotators, tokens): equal numbers for equal sets of tags on a token."""
    import numpy as np

    annotators, tags, units = data.shape
    if tags <= 62:  # one bit per tag
        return np.tensordot(1 << np.arange(tags, dtype=np.int64), data.astype(np.int64), (0, 1))
    rows = data.transpose(0, 2, 1).reshape(-1, tags)
    return np.unique(rows, axis=0, return_inverse=True)[1].reshape(annotators, units)


def _passages(tokens: pd.DataFrame, by_tag: pd.DataFrame, marks: TokenMarks) -> pd.DataFrame:
    keys = ["doc_id", "sentence"]
    summary = tokens.groupby(keys, sort=False)["disagreement"].agg(
        disagreement="mean", peak="max", tokens="size"
    )
    if marks.tags:
        per_tag = by_tag.groupby([tokens[k] for k in keys], sort=False).mean().fillna(0)
        summary["tag"] = per_tag.idxmax(axis=1).where(per_tag.max(axis=1) > 0, "")
    else:
        summary["tag"] = ""
    merged = marks.sentences.merge(summary.reset_index(), on=keys, how="inner")
    columns = ["doc_id", "sentence", "paragraph", "section", "start", "end", "tokens",
               "disagreement", "peak", "tag", "text"]  # fmt: skip
    ranked = merged[columns].sort_values(
        ["disagreement", "start"], ascending=[False, True], kind="stable", na_position="last"
    )
    return ranked.reset_index(drop=True)
