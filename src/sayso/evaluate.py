"""Scoring of predicted attributions against PolNeAR gold in brat standoff format.

Spans are compared as sets of character offsets (the union of a span's fragments), with
whitespace trimmed at the edges of every fragment, so discontinuous gold spans and contiguous
predictions meet on equal terms and a stray space never costs an exact match.

Per role (source, cue, content), the distinct spans of a document are scored two ways:
exact (same offset set) and proportional overlap as in PARC/citron (each predicted span earns
overlap / own length against its best gold span for precision; each gold span earns overlap /
own length against its best prediction for recall). A predicted attribution is a relation
hit when its content overlaps a gold content by at least half of the longer of the two and
its source overlaps the gold source (or both have none); pairs are matched one-to-one,
greedily by content overlap. Every figure is micro-averaged over all documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sayso.errors import GoldDataError
from sayso.model import Attribution, Span

ROLES = ("source", "cue", "content")

Offsets = frozenset[int]
Fragments = tuple[tuple[int, int], ...]

_BRAT_ID = re.compile(r"^[TRAEMN#*]\d*\t")
_TRIGGER_LABELS = ("Attribution", "Attribution-no-source")


# ---------------------------------------------------------------------------- gold data


@dataclass(frozen=True)
class GoldSpan:
    """A brat text-bound annotation as written, kept for display and for checking offsets."""

    fragments: Fragments
    text: str

    def matches(self, document_text: str) -> bool:
        """Whether the offsets select the annotated text (brat joins fragments with a space)."""
        return " ".join(document_text[s:e] for s, e in self.fragments) == self.text


@dataclass
class GoldAttribution:
    """One gold relation: trimmed offset sets for scoring, raw spans for display."""

    source: Offsets | None
    cue: Offsets | None
    content: Offsets | None
    source_span: GoldSpan | None = None
    cue_span: GoldSpan | None = None
    content_span: GoldSpan | None = None


@dataclass
class GoldDocument:
    """A gold article: its text exactly as in the .txt file and one annotator's relations."""

    name: str
    text: str
    attributions: list[GoldAttribution]
    annotator: str = ""

    def spans(self) -> list[GoldSpan]:
        """Every raw role span of the document, shared ones once."""
        seen: dict[GoldSpan, None] = {}
        for attribution in self.attributions:
            for span in (attribution.source_span, attribution.cue_span, attribution.content_span):
                if span is not None:
                    seen.setdefault(span)
        return list(seen)

    def mismatched_spans(self) -> int:
        """How many gold spans do not select their annotated text; 0 on clean data."""
        return sum(not span.matches(self.text) for span in self.spans())


def load_gold(directory: str | Path, limit: int | None = None) -> list[GoldDocument]:
    """Read ``directory/text/*.txt`` with one ``.ann`` each from ``directory/attributions``.

    Where several annotators worked on an article, the first one (as listed in
    ``metadata.tsv`` next to or above the directory, else in sorted order) is the gold.
    Only spans linked by an ``E`` relation count; ``Discard``/``Discuss`` spans are ignored.
    """
    root = Path(directory)
    text_dir, ann_dir = root / "text", root / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise GoldDataError(f"no gold data at {root}: expected folders text/ and attributions/")
    texts = sorted(text_dir.glob("*.txt"))
    if not texts:
        raise GoldDataError(f"no gold texts (*.txt) in {text_dir}")
    annotations = _annotations_by_stem(ann_dir)
    preferred = _first_annotators(root)
    documents = []
    for text_path in texts[:limit]:
        stem = text_path.stem
        if stem not in annotations:
            raise GoldDataError(f"no annotation file {stem}_<annotator>.ann in {ann_dir}")
        annotator = _choose_annotator(annotations[stem], preferred.get(stem))
        documents.append(_load_document(text_path, annotations[stem][annotator], annotator))
    return documents


def _annotations_by_stem(ann_dir: Path) -> dict[str, dict[str, Path]]:
    """Map article stem -> annotator -> file, from names ``<stem>_<annotator>.ann``.

    A plain ``<stem>.ann`` is also filed, under the annotator "", since an article stem may
    itself contain underscores.
    """
    found: dict[str, dict[str, Path]] = {}
    for path in ann_dir.glob("*.ann"):
        found.setdefault(path.stem, {})[""] = path
        stem, _, annotator = path.stem.rpartition("_")
        if stem:
            found.setdefault(stem, {})[annotator] = path
    return found


def _first_annotators(root: Path) -> dict[str, str]:
    """First annotator per article from PolNeAR's metadata.tsv, when there is one."""
    for candidate in (root / "metadata.tsv", root.parent / "metadata.tsv"):
        if candidate.is_file():
            return _read_metadata(candidate)
    return {}


def _read_metadata(path: Path) -> dict[str, str]:
    lines = _read_text(path).splitlines()
    if not lines:
        return {}
    header = lines[0].split("\t")
    if "filename" not in header or "annotators" not in header:
        return {}
    name_col, annotators_col = header.index("filename"), header.index("annotators")
    first = {}
    for line in lines[1:]:
        cells = line.split("\t")
        if len(cells) > max(name_col, annotators_col):
            first[cells[name_col]] = re.split(r"[|,]", cells[annotators_col])[0].strip()
    return first


def _choose_annotator(files: dict[str, Path], preferred: str | None) -> str:
    return preferred if preferred in files else min(files)


def _read_text(path: Path) -> str:
    """Read UTF-8 exactly as brat counted it: no newline translation, a BOM kept."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise GoldDataError(f"cannot read gold file {path}: {error}") from error


def _load_document(text_path: Path, ann_path: Path, annotator: str) -> GoldDocument:
    text = _read_text(text_path)
    entities, events = _parse_brat(_read_text(ann_path), ann_path)
    attributions = [_build_attribution(args, entities, text, ann_path) for args in events]
    return GoldDocument(text_path.stem, text, attributions, annotator)


def _parse_brat(raw: str, path: Path) -> tuple[dict[str, GoldSpan], list[list[tuple[str, str]]]]:
    """Text-bound spans by id, and each event's (role, span id) arguments."""
    entities: dict[str, GoldSpan] = {}
    events: list[list[tuple[str, str]]] = []
    for number, line in _logical_lines(raw):
        where = f"{path.name} line {number}"
        ident, _, rest = line.partition("\t")
        if ident.startswith("T"):
            entities[ident] = _parse_entity(rest, where)
        elif ident.startswith("E"):
            events.append(_parse_event(rest, where))
    return entities, events


def _logical_lines(raw: str) -> list[tuple[int, str]]:
    """Join lines that continue a span text: PolNeAR spans may contain newlines."""
    lines: list[tuple[int, str]] = []
    for number, line in enumerate(raw.split("\n"), start=1):
        if _BRAT_ID.match(line) or not lines:
            lines.append((number, line))
        else:
            start, previous = lines[-1]
            lines[-1] = (start, previous + "\n" + line)
    return [(number, line.rstrip("\r\n")) for number, line in lines if line.strip()]


def _parse_entity(rest: str, where: str) -> GoldSpan:
    annotation, _, span_text = rest.partition("\t")
    _label, _, offsets = annotation.partition(" ")
    try:
        fragments = tuple(
            (int(start), int(end))
            for start, end in (fragment.split() for fragment in offsets.split(";"))
        )
    except ValueError as error:
        raise GoldDataError(f"{where}: bad offsets {offsets!r}") from error
    return GoldSpan(fragments, span_text)


def _parse_event(rest: str, where: str) -> list[tuple[str, str]]:
    args = []
    for argument in rest.split():
        role, colon, ident = argument.partition(":")
        if not colon:
            raise GoldDataError(f"{where}: bad event argument {argument!r}")
        args.append((role, ident))
    return args


def _build_attribution(
    args: list[tuple[str, str]], entities: dict[str, GoldSpan], text: str, path: Path
) -> GoldAttribution:
    """Collect an event's spans by role; ``Content2`` and the like join their base role.

    PolNeAR's trigger (``Attribution``/``Attribution-no-source``) copies the cue, so it
    stands in for the cue only where the event has no ``Cue`` argument.
    """
    by_role: dict[str, list[GoldSpan]] = {}
    trigger: GoldSpan | None = None
    for role, ident in args:
        if ident not in entities:
            raise GoldDataError(f"{path.name}: event refers to unknown annotation {ident}")
        if role in _TRIGGER_LABELS:
            trigger = entities[ident]
        else:
            by_role.setdefault(role.rstrip("0123456789").lower(), []).append(entities[ident])
    if "cue" not in by_role and trigger is not None:
        by_role["cue"] = [trigger]
    spans = {role: _merge(by_role.get(role, [])) for role in ROLES}
    return GoldAttribution(
        source=_gold_offsets(spans["source"], text),
        cue=_gold_offsets(spans["cue"], text),
        content=_gold_offsets(spans["content"], text),
        source_span=spans["source"],
        cue_span=spans["cue"],
        content_span=spans["content"],
    )


def _merge(spans: list[GoldSpan]) -> GoldSpan | None:
    """One span out of a role's several arguments, written as brat writes fragments."""
    if len(spans) <= 1:
        return spans[0] if spans else None
    fragments = tuple(fragment for span in spans for fragment in span.fragments)
    return GoldSpan(fragments, " ".join(span.text for span in spans))


def _gold_offsets(span: GoldSpan | None, text: str) -> Offsets | None:
    return None if span is None else _offsets(span.fragments, text)


def _offsets(fragments: Iterable[tuple[int, int]], text: str) -> Offsets | None:
    """Union of the fragments' offsets, each trimmed of edge whitespace; None if empty."""
    offsets: set[int] = set()
    for start, end in fragments:
        piece = text[start:end]
        offsets.update(range(start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip())))
    return frozenset(offsets) or None


# ---------------------------------------------------------------------------- counting


@dataclass
class RoleCounts:
    """Additive figures for one role: span counts, exact hits and overlap credits."""

    n_gold: int = 0
    n_predicted: int = 0
    exact: int = 0
    precision_credit: float = 0.0
    recall_credit: float = 0.0

    def __add__(self, other: RoleCounts) -> RoleCounts:
        return RoleCounts(
            self.n_gold + other.n_gold,
            self.n_predicted + other.n_predicted,
            self.exact + other.exact,
            self.precision_credit + other.precision_credit,
            self.recall_credit + other.recall_credit,
        )


@dataclass
class Counts:
    """Everything a report needs, summable over documents (micro-averaging)."""

    roles: dict[str, RoleCounts] = field(default_factory=lambda: {r: RoleCounts() for r in ROLES})
    relation_hits: int = 0
    n_gold: int = 0
    n_predicted: int = 0
    n_documents: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            {role: self.roles[role] + other.roles[role] for role in ROLES},
            self.relation_hits + other.relation_hits,
            self.n_gold + other.n_gold,
            self.n_predicted + other.n_predicted,
            self.n_documents + other.n_documents,
        )


@dataclass(frozen=True)
class _Triple:
    """An attribution reduced to what scoring looks at."""

    source: Offsets | None
    cue: Offsets | None
    content: Offsets | None

    def role(self, name: str) -> Offsets | None:
        return getattr(self, name)


def score_document(predicted: Sequence[Attribution], gold: GoldDocument) -> Counts:
    """Counts for one document; predicted offsets refer to ``gold.text``."""
    guesses = [_predicted_triple(attribution, gold.text) for attribution in predicted]
    truths = [_Triple(a.source, a.cue, a.content) for a in gold.attributions]
    return Counts(
        roles={role: _role_counts(guesses, truths, role) for role in ROLES},
        relation_hits=_relation_hits(guesses, truths),
        n_gold=len(truths),
        n_predicted=len(guesses),
        n_documents=1,
    )


def _predicted_triple(attribution: Attribution, text: str) -> _Triple:
    return _Triple(
        _span_offsets(attribution.source, text),
        _span_offsets(attribution.cue, text),
        _span_offsets(attribution.content, text),
    )


def _span_offsets(span: Span | None, text: str) -> Offsets | None:
    return None if span is None else _offsets([(span.start, span.end)], text)


def _role_counts(guesses: list[_Triple], truths: list[_Triple], role: str) -> RoleCounts:
    """Score the distinct spans of a role: a source shared by two relations counts once."""
    predicted = _distinct(triple.role(role) for triple in guesses)
    gold = _distinct(triple.role(role) for triple in truths)
    gold_set = set(gold)
    return RoleCounts(
        n_gold=len(gold),
        n_predicted=len(predicted),
        exact=sum(span in gold_set for span in predicted),
        precision_credit=sum(_best_cover(span, gold) for span in predicted),
        recall_credit=sum(_best_cover(span, predicted) for span in gold),
    )


def _distinct(spans: Iterable[Offsets | None]) -> list[Offsets]:
    return list(dict.fromkeys(span for span in spans if span is not None))


def _best_cover(span: Offsets, others: list[Offsets]) -> float:
    """Share of ``span`` covered by the single other span that covers most of it."""
    return max((len(span & other) for other in others), default=0) / len(span)


def _relation_hits(guesses: list[_Triple], truths: list[_Triple]) -> int:
    """One-to-one matches, largest content overlap first."""
    candidates = sorted(
        (-overlap, i, j)
        for i, guess in enumerate(guesses)
        for j, truth in enumerate(truths)
        if (overlap := _relation_overlap(guess, truth))
    )
    used_guesses: set[int] = set()
    used_truths: set[int] = set()
    for _, i, j in candidates:
        if i not in used_guesses and j not in used_truths:
            used_guesses.add(i)
            used_truths.add(j)
    return len(used_guesses)


def _relation_overlap(guess: _Triple, truth: _Triple) -> int:
    """Content overlap when the pair may match, else 0."""
    if guess.content is None or truth.content is None:
        return 0
    overlap = len(guess.content & truth.content)
    if 2 * overlap < max(len(guess.content), len(truth.content)):
        return 0
    return overlap if _same_source(guess.source, truth.source) else 0


def _same_source(guess: Offsets | None, truth: Offsets | None) -> bool:
    if guess is None or truth is None:
        return guess is None and truth is None
    return not guess.isdisjoint(truth)


# ---------------------------------------------------------------------------- report


@dataclass(frozen=True)
class PRF:
    """Precision, recall and their harmonic mean; 0.0 where a denominator is 0."""

    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, precision_hits: float, n_predicted: int, recall_hits: float, n_gold: int) -> PRF:
        precision = precision_hits / n_predicted if n_predicted else 0.0
        recall = recall_hits / n_gold if n_gold else 0.0
        total = precision + recall
        return cls(precision, recall, 2 * precision * recall / total if total else 0.0)

    def to_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True)
class RoleScores:
    """Exact and proportional-overlap scores of one role, with its span counts."""

    exact: PRF
    overlap: PRF
    n_gold: int
    n_predicted: int

    @classmethod
    def of(cls, counts: RoleCounts) -> RoleScores:
        return cls(
            exact=PRF.of(counts.exact, counts.n_predicted, counts.exact, counts.n_gold),
            overlap=PRF.of(
                counts.precision_credit, counts.n_predicted, counts.recall_credit, counts.n_gold
            ),
            n_gold=counts.n_gold,
            n_predicted=counts.n_predicted,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "exact": self.exact.to_dict(),
            "overlap": self.overlap.to_dict(),
            "n_gold": self.n_gold,
            "n_predicted": self.n_predicted,
        }


@dataclass(frozen=True)
class Report:
    """Micro-averaged scores over a set of documents."""

    roles: dict[str, RoleScores]
    relation: PRF
    n_documents: int
    n_gold: int
    n_predicted: int

    @classmethod
    def of(cls, counts: Counts) -> Report:
        return cls(
            roles={role: RoleScores.of(counts.roles[role]) for role in ROLES},
            relation=PRF.of(
                counts.relation_hits, counts.n_predicted, counts.relation_hits, counts.n_gold
            ),
            n_documents=counts.n_documents,
            n_gold=counts.n_gold,
            n_predicted=counts.n_predicted,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_documents": self.n_documents,
            "n_gold": self.n_gold,
            "n_predicted": self.n_predicted,
            "roles": {role: scores.to_dict() for role, scores in self.roles.items()},
            "relation": self.relation.to_dict(),
        }

    def format(self) -> str:
        """A fixed-width table for a terminal."""
        rule = "-" * 62
        columns = f"{'P':>7}{'R':>6}{'F1':>6}"
        lines = [
            f"{self.n_documents} documents: {self.n_gold} gold, "
            f"{self.n_predicted} predicted attributions",
            "",
            f"{'':24}{'exact':^19}{'proportional overlap':^19}",
            f"{'role':<10}{'gold':>7}{'pred':>7}{columns}{columns}",
            rule,
        ]
        for role, scores in self.roles.items():
            lines.append(
                f"{role:<10}{scores.n_gold:>7}{scores.n_predicted:>7}"
                f"{_format_prf(scores.exact)}{_format_prf(scores.overlap)}"
            )
        lines += [
            rule,
            f"{'relation':<10}{self.n_gold:>7}{self.n_predicted:>7}{_format_prf(self.relation)}",
            "relation hit: content overlap >= half the longer span; sources overlap or both absent",
        ]
        return "\n".join(lines)


def _format_prf(prf: PRF) -> str:
    return f"{prf.precision:7.3f}{prf.recall:6.3f}{prf.f1:6.3f}"


def score(pairs: Iterable[tuple[Sequence[Attribution], GoldDocument]]) -> Report:
    """Micro-averaged report over (predicted attributions, gold document) pairs."""
    total = Counts()
    for predicted, gold in pairs:
        total += score_document(predicted, gold)
    return Report.of(total)


def evaluate_attribution(
    gold_dir: str | Path,
    analyze_fn: Callable[[str], Sequence[Attribution]],
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Run ``analyze_fn`` on every gold text, exactly as in its file, and score the result."""
    documents = load_gold(gold_dir, limit)
    total = Counts()
    for done, document in enumerate(documents, start=1):
        total += score_document(analyze_fn(document.text), document)
        if progress is not None:
            progress(done, len(documents))
    return Report.of(total)
