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
from sayso.errors import InputError, RegistryError, SaysoError
from sayso.formats import to_csv, to_geojson
from sayso.inputs import iter_jsonl, read_path
from sayso.pipeline import analyze_article
from sayso.registry import Registry
from sayso.render import summary

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
    registry_files: tuple[Path, ...],
) -> None:
    """Every claim in an article with its chain of attribution and its provenance.

    PATH is a .txt or .html file, a .jsonl file of articles, or - for stdin.
    """
    sources = registry.load(registry_files)
    if _is_jsonl(path, jsonl):
        failures = 0
        records = analyze_jsonl(
            path, max_chars=max_chars, check_language=not any_language, registry=sources
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
    )
    analysis = analyze_article(article, sources)
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
) -> Iterator[dict[str, Any]]:
    """One output record per input line: the analysis (a schema-valid record whose ``id`` is
    the input's, or ``line-N``), or ``{"line": N, "error": {...}}`` for a line that failed."""
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
            try:
                yield analyze_article(item, registry).to_dict()
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
        return analyze_article(Article(text=text)).attributions

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
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@reports_errors
def evaluate_geoparse_command(gold_file: Path, limit: int | None, as_json: bool) -> None:
    """Toponym recognition P/R/F1 and geocoding accuracy within 161 km against XML gold."""
    from sayso.geoeval import evaluate_geoparse
    from sayso.model import Article

    def find(text: str) -> list:
        return analyze_article(Article(text=text)).places

    report = _with_progress(
        "geoparsing",
        lambda progress: evaluate_geoparse(gold_file, find, limit=limit, progress=progress),
    )
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.format())


def main() -> None:
    cli(prog_name="sayso")


if __name__ == "__main__":
    main()
