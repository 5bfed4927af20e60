"""The ``sayso`` command line: thin shells over the Python API.

Every command checks its arguments, calls one plain function and prints what it returns;
expected failures (``SaysoError``) become one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from functools import wraps
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from sayso import __version__, registry
from sayso.corroboration import VERDICTS
from sayso.errors import InputError, RegistryError, SaysoError
from sayso.formats import to_csv, to_geojson
from sayso.geoeval import SPLITS as GEOPARSE_SPLITS
from sayso.inputs import iter_jsonl, read_path
from sayso.persuasion_eval import SPLITS
from sayso.pipeline import analyze_article, parse
from sayso.places import Home, named_home
from sayso.registry import Registry
from sayso.render import summary
from sayso.store import display_name, is_postgres_url

F = TypeVar("F", bound=Callable[..., Any])

registry_option = click.option(
    "--registry",
    "registry_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A YAML file of registry records to add or override (repeatable).",
)


def reports_errors(command: F) -> F:
    """Turn a ``SaysoError`` into a clear message and its exit code, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SaysoError as error:
            click.echo(f"sayso: error: {error}", err=True)
            sys.exit(error.exit_code)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sayso")
def cli() -> None:
    """sayso: on whose say-so? Claims, sources and chains of attribution in the news."""


home_option = click.option(
    "--home",
    metavar="PLACE",
    help="Where the outlet is based ('Norfolk, Neb.', 'Kharkiv oblast'): local place names "
    "with no other clue ('Dublin') are read there. Kept as meta.home; a JSONL record's own "
    '"home" wins.',
)


def _is_jsonl(path: str, jsonl: bool) -> bool:
    return jsonl or path.endswith((".jsonl", ".ndjson"))


@cli.command()
@click.argument("path", type=click.Path(allow_dash=True, dir_okay=False))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "geojson", "csv"]),
    default="text",
    show_default=True,
    help="text: a readable summary; json: the full versioned record; geojson: events and "
    "places for a map; csv: events in ACLED-like columns.",
)
@click.option("--published", help="Publication date (ISO, e.g. 2025-07-14).")
@click.option("--outlet", help="The outlet that published the article.")
@click.option("--url", help="The article's URL.")
@click.option("--title", help="The article's title (default: taken from the input).")
@click.option("--jsonl", is_flag=True, help="Read one JSON article per line (auto for .jsonl).")
@click.option("--max-chars", type=click.IntRange(min=1), help="Largest text accepted.")
@click.option("--any-language", is_flag=True, help="Skip the check that the text is English.")
@click.option(
    "--fast",
    is_flag=True,
    help="Skip persuasion techniques, frames and genre (the neural model): about twice as "
    "fast; those keys are then null.",
)
@home_option
@registry_option
@reports_errors
def analyze(
    path: str,
    output_format: str,
    published: str | None,
    outlet: str | None,
    url: str | None,
    title: str | None,
    jsonl: bool,
    max_chars: int | None,
    any_language: bool,
    fast: bool,
    home: str | None,
    registry_files: tuple[Path, ...],
) -> None:
    """Every claim in an article with its chain of attribution and its provenance.

    PATH is a .txt or .html file, a .jsonl file of articles, or - for stdin.
    """
    sources = registry.load(registry_files)
    named_home(home)  # an unknown home is refused before any work
    if _is_jsonl(path, jsonl):
        failures = 0
        records = analyze_jsonl(
            path,
            max_chars=max_chars,
            check_language=not any_language,
            registry=sources,
            fast=fast,
            home=home,
        )
        for record in records:
            failures += "error" in record
            click.echo(json.dumps(record, ensure_ascii=False))
        if failures:
            click.echo(f"sayso: {failures} record(s) could not be analysed", err=True)
        return
    article = read_path(
        path,
        published=published,
        outlet=outlet,
        url=url,
        title=title,
        max_chars=max_chars,
        check_language=not any_language,
        home=home,
    )
    analysis = analyze_article(article, sources, fast=fast)
    if output_format == "json":
        click.echo(json.dumps(analysis.to_dict(), ensure_ascii=False, indent=2))
    elif output_format == "geojson":
        click.echo(to_geojson(analysis))
    elif output_format == "csv":
        click.echo(to_csv(analysis), nl=False)
    else:
        click.echo(summary(analysis))


def analyze_jsonl(
    path: str,
    *,
    max_chars: int | None = None,
    check_language: bool = True,
    registry: Registry | None = None,
    fast: bool = False,
    home: str | None = None,
) -> Iterator[dict[str, Any]]:
    """One output record per input line: the analysis (a schema-valid record whose ``id`` is
    the input's, or ``line-N``), or ``{"line": N, "error": {...}}`` for a line that failed.
    ``home`` is the outlet's home for records that name none."""
    stream = sys.stdin.buffer if path == "-" else _open_input(path)
    try:
        for line_number, item in iter_jsonl(
            stream, max_chars=max_chars, check_language=check_language
        ):
            if isinstance(item, InputError):
                yield {"line": line_number, "error": {"code": item.code, "message": str(item)}}
                continue
            if item.id is None:
                item.id = f"line-{line_number}"
            if home and not item.meta.home:
                item.meta.home = home
            try:
                yield analyze_article(item, registry, fast=fast).to_dict()
            except SaysoError as error:
                yield {"line": line_number, "error": {"code": error.code, "message": str(error)}}
            except Exception as error:  # one article's failure must not end the batch
                message = f"internal error: {type(error).__name__}: {error}"
                yield {"line": line_number, "error": {"code": "internal_error", "message": message}}
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _open_input(path: str) -> IO[bytes]:
    """Open a file for reading, turning OS errors into an InputError naming the path."""
    try:
        return open(path, "rb")  # closed by analyze_jsonl
    except FileNotFoundError as error:
        raise InputError(f"no such file: {path}") from error
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from error


@cli.group(name="registry")
def registry_group() -> None:
    """Look up and check the source registry (outlets, bodies, people and their facts)."""


@registry_group.command(name="lookup")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@registry_option
@reports_errors
def registry_lookup(query: str, as_json: bool, registry_files: tuple[Path, ...]) -> None:
    """The registry record for QUERY: a name, an alias or a domain/URL."""
    match = registry.load(registry_files).lookup(query)
    if match.entry is None:
        candidates = ", ".join(match.candidates)
        detail = f": ambiguous, candidates {candidates}" if candidates else ""
        raise SaysoError(f"no registry record for {query!r}{detail}")
    record = match.entry.to_dict()
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    for key, value in record.items():
        if value not in (None, [], {}):
            click.echo(f"{key:12} {', '.join(value) if isinstance(value, list) else value}")


@registry_group.command(name="stats")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@registry_option
@reports_errors
def registry_stats(as_json: bool, registry_files: tuple[Path, ...]) -> None:
    """Coverage: records by kind, ownership and country, and the share with citations."""
    counts = registry.stats(registry.load(registry_files))
    if as_json:
        click.echo(json.dumps(counts, ensure_ascii=False, indent=2))
        return
    click.echo(f"{counts['entries']} records")
    for key in ("by_kind", "by_ownership", "by_country"):
        pairs = ", ".join(f"{name} {n}" for name, n in counts[key].items())
        click.echo(f"{key.replace('_', ' ')}: {pairs}")
    click.echo(f"records with citations: {counts['with_citations']:.1%}")
    click.echo(f"ownership facts with citations: {counts['ownership_facts_cited']:.1%}")
    click.echo(f"records with a Wikidata id: {counts['with_wikidata']:.1%}")
    shared = counts["shared_names"]
    click.echo(f"names shared by several records (looked up as ambiguous): {len(shared)}")
    for name, ids in shared.items():
        click.echo(f"  {name}: {', '.join(ids)}")


@registry_group.command(name="validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@reports_errors
def registry_validate(files: tuple[Path, ...]) -> None:
    """Check registry FILES against the record format, alone and with the built-in records."""
    entries = [entry for path in files for entry in registry.read_file(path)]
    merged = registry.load(files, include_user=False)
    problems = registry.validate(merged.entries.values())
    if problems:
        raise RegistryError("; ".join(problems))
    click.echo(f"{len(entries)} record(s) in {len(files)} file(s): valid")
    for name, ids in registry.shared_names(entries).items():
        click.echo(f"note: '{name}' names several records ({', '.join(ids)}): ambiguous")


def _with_progress(label: str, run: Callable[[Callable[[int, int], None]], Any]) -> Any:
    """Run an evaluation with a progress bar on stderr. The bar starts with the first scored
    article, so an error in the gold data (raised before any) stays the only line."""
    with ExitStack() as stack:
        bars: list[Any] = []

        def progress(done: int, total: int) -> None:
            if not bars:
                bar = click.progressbar(length=total, label=label, file=sys.stderr)
                bars.append(stack.enter_context(bar))
            bars[0].update(done - bars[0].pos)

        return run(progress)


@cli.group(name="eval")
def evaluate_group() -> None:
    """Score sayso against gold-annotated data."""


@evaluate_group.command(name="attribution")
@click.option(
    "--gold",
    "gold_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="PolNeAR-style folder with text/ and attributions/.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first N articles.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@reports_errors
def evaluate_attribution_command(gold_dir: Path, limit: int | None, as_json: bool) -> None:
    """Precision, recall and F1 of attributions against brat gold."""
    from sayso.evaluate import evaluate_attribution
    from sayso.model import Article

    def predict(text: str) -> list:
        return analyze_article(Article(text=text), fast=True).attributions

    report = _with_progress(
        "analysing",
        lambda progress: evaluate_attribution(gold_dir, predict, limit=limit, progress=progress),
    )
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.format())


@evaluate_group.command(name="geoparse")
@click.option(
    "--gold",
    "gold_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="LGL / TR-News style XML file of articles with gold toponyms.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first N articles.")
@click.option(
    "--split",
    type=click.Choice(GEOPARSE_SPLITS),
    help="Score only this part of the file: sayso's rules were adjusted on 'tune' (30% of "
    "articles, by id); 'test' is held out.",
)
@click.option(
    "--given-toponyms",
    is_flag=True,
    help="Geocode the gold toponyms themselves instead of the places sayso finds: "
    "resolution alone, as geocoders are compared given the place name.",
)
@click.option(
    "--outlet-homes",
    is_flag=True,
    help="Geocode each article again with its outlet's home (<domain>) learned from the "
    "places sayso found in the outlet's other articles in the scored part; no gold is used.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@reports_errors
def evaluate_geoparse_command(
    gold_file: Path,
    limit: int | None,
    split: str | None,
    given_toponyms: bool,
    outlet_homes: bool,
    as_json: bool,
) -> None:
    """Toponym recognition P/R/F1 and geocoding accuracy within 161 km against XML gold."""
    from sayso.geoeval import GoldArticle, evaluate_geoparse, resolve_gold_toponyms
    from sayso.model import Place
    from sayso.places import Mention, find_mentions, resolve_places
    from sayso.registry import default_registry

    found: dict[str, list[Mention]] = {}  # each article is parsed once, however often resolved
    sources = default_registry()

    def find(article: GoldArticle, home: Home) -> list[Place]:
        if given_toponyms:
            return resolve_gold_toponyms(article, home)
        if article.doc_id not in found:
            found[article.doc_id] = find_mentions(parse(article.text, sources))
        return resolve_places(article.text, found[article.doc_id], home)

    report = _with_progress(
        "geoparsing",
        lambda progress: evaluate_geoparse(
            gold_file,
            find,
            limit=limit,
            progress=progress,
            split=split,
            outlet_homes=outlet_homes,
        ),
    )
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.format())


def _ptc_options(command: F) -> F:
    """The options shared by the PTC-format evaluations."""
    options = [
        click.option(
            "--articles",
            "articles_dir",
            required=True,
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            help="Folder of article<ID>.txt files (PTC format).",
        ),
        click.option(
            "--split",
            type=click.Choice(SPLITS),
            help="Score only this part of sayso's own split of the training data "
            "(validation: the part never used to train or tune the model).",
        ),
        click.option("--limit", type=click.IntRange(min=1), help="Score only the first N."),
        click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON."),
        click.option(
            "--model",
            "model_dir",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            help="A persuasion model folder (model.onnx, metadata.json) to score instead of "
            "the one sayso ships: a newly trained one, say.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _ptc_inputs(
    articles_dir: Path,
    labels: Path | None,
    split: str | None,
    limit: int | None,
    model_dir: Path | None,
):
    """The gold articles (all, or those of one split, or the first N) and the model to score:
    the one in ``model_dir``, else None for the shipped one."""
    from sayso.persuasion import PersuasionModel
    from sayso.persuasion_eval import read_ptc

    articles = read_ptc(articles_dir, labels, split)
    model = PersuasionModel(model_dir) if model_dir else None
    return (articles[:limit] if limit else articles), model


@evaluate_group.command(name="techniques")
@_ptc_options
@click.option(
    "--labels",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="id<TAB>technique<TAB>start<TAB>end lines (PTC techniques.labels).",
)
@reports_errors
def evaluate_techniques_command(as_json: bool, labels: Path, **gold: Any) -> None:
    """Span identification F1 and technique classification micro/macro-F1 (SemEval-2020)."""
    from sayso.persuasion_eval import evaluate_techniques, format_technique_report

    articles, model = _ptc_inputs(labels=labels, **gold)
    scores = _with_progress(
        "reading", lambda progress: evaluate_techniques(articles, model, progress=progress)
    )
    click.echo(json.dumps(scores, indent=2) if as_json else format_technique_report(scores))


@evaluate_group.command(name="frames")
@_ptc_options
@click.option(
    "--labels",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="id<TAB>frame,frame,... lines (SemEval-2023 frames.labels).",
)
@click.option(
    "--genre-labels",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="id<TAB>opinion|reporting|satire lines, to score the genre too.",
)
@reports_errors
def evaluate_frames_command(
    as_json: bool, labels: Path, genre_labels: Path | None, **gold: Any
) -> None:
    """Frame micro/macro-F1 (and genre, with --genre-labels) of the articles with labels."""
    from sayso.persuasion_eval import evaluate_frames, format_label_report

    articles, model = _ptc_inputs(labels=None, **gold)
    scores = _with_progress(
        "reading",
        lambda progress: evaluate_frames(articles, labels, genre_labels, model, progress=progress),
    )
    if as_json:
        click.echo(json.dumps(scores, indent=2))
        return
    click.echo(f"articles: {scores['articles']}")
    for key in ("frames", "genre"):
        if key in scores:
            click.echo(format_label_report(key, scores[key]))


class StoreLocation(click.ParamType):
    """Where a store is: a postgresql:// (or postgres://) URL as it is, else an SQLite file
    checked as click.Path checks it. Messages name it with the URL's password masked."""

    name = "path|url"
    _path = click.Path(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and is_postgres_url(value):
            return value
        return self._path.convert(value, param, ctx)


def db_option(help_text: str) -> Callable[[F], F]:
    """The --db option of the corpus commands."""
    return click.option(
        "--db",
        default="sayso.db",
        show_default=True,
        type=StoreLocation(),
        help=f"{help_text} A postgresql://user@host/dbname URL names a PostgreSQL store.",
    )


@cli.command(name="ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option("The SQLite store (created when missing).")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes that analyse articles (default: all cores).",
)
@click.option("--fast", is_flag=True, help="Skip persuasion techniques, frames and genre.")
@click.option(
    "--no-cluster", is_flag=True, help="Do not cluster the new claims afterwards (sayso cluster)."
)
@home_option
@registry_option
@reports_errors
def ingest_command(
    paths: tuple[Path, ...],
    db: Path | str,
    jobs: int | None,
    fast: bool,
    no_cluster: bool,
    home: str | None,
    registry_files: tuple[Path, ...],
) -> None:
    """Analyse every article in PATHS and store it in the corpus store.

    PATHS are folders (searched recursively for .txt, .html, .jsonl, feeds and WARC),
    files, .jsonl files, RSS/Atom feed files and WARC files. Articles already stored are
    skipped, so a run can be repeated or resumed after a crash; a bad input is recorded
    (see `sayso errors`) and the batch goes on.
    """
    from sayso.ingest import ingest

    with ExitStack() as stack:
        bars: list[Any] = []

        def progress(summary: Any, total: int) -> None:
            if not bars:
                bar = click.progressbar(
                    length=total,
                    label="ingesting",
                    file=sys.stderr,
                    show_pos=True,
                    item_show_func=lambda rate: f"{rate:.1f} articles/s" if rate else None,
                )
                bars.append(stack.enter_context(bar))
            bars[0].update(summary.done - bars[0].pos, summary.rate)

        summary = ingest(
            paths,
            db=db,
            jobs=jobs,
            fast=fast,
            registry_files=registry_files,
            progress=progress,
            home=home,
        )
    click.echo(summary.line())
    if summary.errors:
        click.echo(
            f"sayso: {summary.errors} input(s) failed; see `sayso errors --db {display_name(db)}`",
            err=True,
        )
    if not no_cluster and (is_postgres_url(db) or Path(db).exists()):
        _cluster(db, None)


@cli.command(name="cluster")
@db_option("The SQLite store to cluster.")
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Cosine similarity at which two claims count as one (default 0.72).",
)
@reports_errors
def cluster_command(db: Path | str, threshold: float | None) -> None:
    """Cluster the store's new claims by meaning and judge each cluster's corroboration.

    Incremental: claims clustered before stay where they are; new claims join the cluster
    of their most similar claim or start their own.
    """
    _cluster(db, threshold)


def _cluster(db: Path | str, threshold: float | None) -> None:
    from sayso.clustering import THRESHOLD, cluster_claims
    from sayso.store import Store

    with Store.open(db, create=False) as store:
        run = _with_progress(
            "clustering",
            lambda progress: cluster_claims(
                store, threshold=threshold or THRESHOLD, progress=progress
            ),
        )
    click.echo(
        f"placed {run.placed} claim(s): {run.new_clusters} new cluster(s), {run.joined} joined "
        f"a cluster; {run.skipped_short} too short to cluster; {run.seconds:.1f} s"
    )


@cli.command(name="claims")
@db_option("The SQLite store to read.")
@click.option(
    "--query",
    help="Full-text query over the claims (FTS5 syntax; web-search syntax in PostgreSQL).",
)
@click.option("--verdict", type=click.Choice(VERDICTS), help="Only clusters with this verdict.")
@click.option(
    "--min-reports",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Fewest reports.",
)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the clusters as a JSON array.")
@reports_errors
def claims_command(
    db: Path | str,
    query: str | None,
    verdict: str | None,
    min_reports: int,
    limit: int,
    as_json: bool,
) -> None:
    """Claim clusters, most reported first, each with its verdict (run `sayso cluster` first)."""
    from sayso.store import Store

    with Store.open(db, create=False) as store:
        rows = store.clusters(query=query, verdict=verdict, min_reports=min_reports, limit=limit)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        text = " ".join(row["representative_text"].split())
        click.echo(
            f"[{row['id']}] {row['reports']} report(s), {row['origins']} origin(s), "
            f"{row['verdict']}: {text[:150]}"
        )
    if not rows:
        click.echo("no clusters match" if query or verdict else "no clusters: run sayso cluster")


@cli.command(name="trace")
@click.argument("cluster_id", type=click.IntRange(min=1))
@db_option("The SQLite store to read.")
@click.option("--claim", "by_claim", is_flag=True, help="CLUSTER_ID is a claim's id instead.")
@click.option("--json", "as_json", is_flag=True, help="Print the trace as JSON.")
@reports_errors
def trace_command(cluster_id: int, db: Path | str, by_claim: bool, as_json: bool) -> None:
    """The tree of a claim's reports from its origins to every relay, and its timeline."""
    from sayso.store import Store
    from sayso.trace import format_trace, trace_record

    with Store.open(db, create=False) as store:
        if by_claim:
            found = store.cluster_of_claim(cluster_id)
            if found is None:
                raise SaysoError(f"claim {cluster_id} is not in a cluster (run sayso cluster)")
            cluster_id = found
        cluster = store.cluster(cluster_id)
    if cluster is None:
        raise SaysoError(f"no cluster {cluster_id} in {display_name(db)}")
    if as_json:
        click.echo(json.dumps(trace_record(cluster), ensure_ascii=False, indent=2))
    else:
        click.echo(format_trace(cluster))


@cli.command(name="sources")
@db_option("The SQLite store to read.")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the origins as a JSON array.")
@reports_errors
def sources_command(db: Path | str, top: int, as_json: bool) -> None:
    """The origins the corpus's claims rest on, most claims first, with registry facts."""
    from sayso.store import Store

    with Store.open(db, create=False) as store:
        rows = store.top_origins(top)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        facts = row["facts"] or {}
        described = ", ".join(
            str(value).replace("_", " ")
            for value in (facts.get("kind"), facts.get("country"), facts.get("ownership"))
            if value and value != "unknown"
        )
        click.echo(
            f"{row['claims']:>6} claims in {row['articles']:>5} articles, "
            f"{row['clusters']:>5} clusters: {row['name']} ({described or row['kind']})"
        )


@cli.command(name="errors")
@db_option("The SQLite store to read.")
@click.option("--json", "as_json", is_flag=True, help="Print the errors as a JSON array.")
@click.option("--all", "include_resolved", is_flag=True, help="Include resolved errors.")
@reports_errors
def errors_command(db: Path | str, as_json: bool, include_resolved: bool) -> None:
    """Inputs that failed to ingest, with their error code and message.

    An error is resolved (and listed only with --all) once its input has been stored.
    """
    from sayso.store import Store

    with Store.open(db, create=False) as store:
        rows = store.errors(include_resolved=include_resolved)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        state = f" (resolved {row['resolved_at']})" if row["resolved_at"] else ""
        click.echo(f"{row['at']}  {row['code']}  {row['source']}{state}: {row['message']}")
    if not rows:
        click.echo("no errors recorded" if include_resolved else "no open errors")


@cli.group(name="spark")
def spark_group() -> None:
    """Analyse a dataset of articles on Apache Spark, then load the results into a store.

    Needs the spark extra (pip install 'sayso[spark]') and Java 17 or newer.
    """


@spark_group.command(name="run")
@click.argument("source", metavar="INPUT")
@click.option(
    "--output",
    required=True,
    help="Folder (or hdfs://, s3a://... URL) the Parquet results are written to.",
)
@click.option(
    "--master",
    help="Spark master: local[*] (the default), local[2], spark://host:7077, yarn. Under "
    "spark-submit, spark-submit's --master.",
)
@click.option(
    "--partitions",
    type=click.IntRange(min=1),
    help="Partitions to analyse the articles in (default: 2 per core).",
)
@click.option(
    "--format",
    "input_format",
    type=click.Choice(["jsonl", "parquet"]),
    help="The input's format (default: told by its name or, for a folder, its files).",
)
@click.option("--fast", is_flag=True, help="Skip persuasion techniques, frames and genre.")
@click.option("--overwrite", is_flag=True, help="Replace the output when it exists.")
@click.option("--max-chars", type=click.IntRange(min=1), help="Largest text accepted.")
@click.option("--any-language", is_flag=True, help="Skip the check that the text is English.")
@registry_option
@reports_errors
def spark_run_command(
    source: str,
    output: str,
    master: str | None,
    partitions: int | None,
    input_format: str | None,
    fast: bool,
    overwrite: bool,
    max_chars: int | None,
    any_language: bool,
    registry_files: tuple[Path, ...],
) -> None:
    """Analyse every article of INPUT on Spark and write one Parquet row per article.

    INPUT is JSONL (one article a line, as for `sayso analyze`) or Parquet with the same
    fields as columns: a file, a folder or a glob. A bad article gets a row with an error
    (code, message) and the job goes on. Load the results with `sayso spark load`.
    """
    from sayso.spark import analyze_dataset, check_paths, session

    check_paths(source, output, input_format=input_format, overwrite=overwrite)
    with session(master, progress=True) as spark:
        summary = analyze_dataset(
            spark,
            source,
            output,
            input_format=input_format,
            partitions=partitions,
            fast=fast,
            registry_files=registry_files,
            max_chars=max_chars,
            check_language=not any_language,
            overwrite=overwrite,
        )
    click.echo(summary.line())
    if summary.errors:
        click.echo(
            f"sayso: {summary.errors} article(s) failed; their rows carry the error", err=True
        )


@spark_group.command(name="load")
@click.argument("results", type=click.Path(exists=True, path_type=Path))
@db_option("The SQLite store (created when missing).")
@reports_errors
def spark_load_command(results: Path, db: Path | str) -> None:
    """Store the articles of a `sayso spark run` result folder in the corpus store.

    Texts already stored are skipped, so loading twice stores nothing twice; failed
    articles are recorded as errors (see `sayso errors`). Needs pyarrow, not Java.
    """
    from sayso.spark import load_results

    summary = load_results(results, db)
    click.echo(summary.line())
    if summary.errors:
        where = display_name(db)
        click.echo(
            f"sayso: {summary.errors} article(s) had failed; see `sayso errors --db {where}`",
            err=True,
        )


@cli.command(name="report")
@click.argument("path", required=False, type=click.Path(allow_dash=True, dir_okay=False))
@click.option(
    "--cluster",
    "cluster_id",
    type=click.IntRange(min=1),
    help="Report this claim cluster of the store named by --db instead of an article.",
)
@db_option("The store to read with --cluster.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(allow_dash=True, dir_okay=False),
    help="The HTML file to write (- for standard output).",
)
@click.option("--published", help="Publication date (ISO, e.g. 2025-07-14).")
@click.option("--outlet", help="The outlet that published the article.")
@click.option("--url", help="The article's URL.")
@click.option("--title", help="The article's title (default: taken from the input).")
@click.option("--max-chars", type=click.IntRange(min=1), help="Largest text accepted.")
@click.option("--any-language", is_flag=True, help="Skip the check that the text is English.")
@click.option("--fast", is_flag=True, help="Skip persuasion techniques, frames and genre.")
@home_option
@registry_option
@reports_errors
def report_command(
    path: str | None,
    cluster_id: int | None,
    db: Path | str,
    output: str,
    published: str | None,
    outlet: str | None,
    url: str | None,
    title: str | None,
    max_chars: int | None,
    any_language: bool,
    fast: bool,
    home: str | None,
    registry_files: tuple[Path, ...],
) -> None:
    """One self-contained HTML report of an article, to read offline in a browser.

    PATH is a .txt or .html article (as for `sayso analyze`), - for stdin, or a .json
    record saved from `sayso analyze --format json`, reported as it is (without analysing
    again: --fast, --home, --registry, --max-chars and --any-language then do not apply).
    With --cluster ID (and no PATH), the report of a claim cluster of the --db store.
    """
    from sayso.record import read_record
    from sayso.report import article_report

    if (path is None) == (cluster_id is None):
        raise click.UsageError("give either PATH (an article) or --cluster ID, not both")
    if cluster_id is not None:
        _write_page(output, _cluster_page(cluster_id, db), f"claim cluster {cluster_id}")
        return
    assert path is not None
    given = {"published": published, "outlet": outlet, "url": url, "title": title}
    if path.lower().endswith(".json"):
        analysis = read_record(path)
        for key, value in given.items():
            if value is not None:
                setattr(analysis.meta, key, value)
    else:
        named_home(home)  # an unknown home is refused before any work
        article = read_path(
            path, max_chars=max_chars, check_language=not any_language, home=home, **given
        )
        analysis = analyze_article(article, registry.load(registry_files), fast=fast)
    done = f"{len(analysis.claims)} claims, {len(analysis.sources)} sources"
    _write_page(output, article_report(analysis), done)


def _cluster_page(cluster_id: int, db: Path | str) -> str:
    from sayso.report_cluster import cluster_report
    from sayso.store import Store

    with Store.open(db, create=False) as store:
        cluster = store.cluster(cluster_id)
    if cluster is None:
        raise SaysoError(f"no cluster {cluster_id} in {display_name(db)}")
    return cluster_report(cluster)


def _write_page(output: str, page: str, done: str) -> None:
    """Write a report to ``output`` (- for standard output) and say what was written."""
    if output == "-":
        click.echo(page, nl=False)
        return
    try:
        Path(output).write_text(page, encoding="utf-8")
    except OSError as error:
        raise SaysoError(f"cannot write {output}: {error.strerror or error}") from error
    click.echo(f"wrote {output}: {done}")


@cli.command(name="serve")
@click.option(
    "--db",
    default=None,
    type=StoreLocation(),
    help="A corpus store to browse (SQLite file or postgresql:// URL); without it, the app "
    "only analyses.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@registry_option
@reports_errors
def serve_command(
    db: Path | str | None, host: str, port: int, registry_files: tuple[Path, ...]
) -> None:
    """A local web app: paste or upload an article to see its report, browse a corpus,
    and a JSON API for both (described at /openapi.json)."""
    from sayso.web import is_loopback, serve

    if not is_loopback(host):
        click.secho(
            f"WARNING: listening on {host}, not 127.0.0.1: anyone who can reach this machine "
            "can use the app and read the corpus; there is no authentication.",
            fg="red",
            bold=True,
            err=True,
        )
    serve(db, host=host, port=port, registry=registry.load(registry_files))


def main() -> None:
    cli(prog_name="sayso")


if __name__ == "__main__":
    main()
