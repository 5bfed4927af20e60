"""Corpus analysis on Apache Spark: a dataset of articles (JSONL or Parquet) in, Parquet out.

Why this shape: Spark only schedules. Every article goes through the same input boundary
(``iter_jsonl``) and the same ``analyze_article`` as ``sayso analyze batch.jsonl``, so a
cluster gives exactly the records a laptop gives. Partitions are analysed with
``mapPartitions``: the spaCy pipeline is loaded once per partition (and kept by Spark's
reused Python worker for the next one), never once per row. The source registry is read
once on the driver and broadcast, so every executor links sources to the same records. A bad
article becomes a row with an ``error`` struct (code, message) and the job goes on.

``load_results`` streams the Parquet rows into a sayso store (with pyarrow, batch by batch,
so memory stays flat), skipping texts already stored, so corpus mode (clustering, queries)
goes on from there.

pyspark and pyarrow are optional (``pip install 'sayso[spark]'``; Spark needs Java 17 or
newer); they are imported only when a function here needs them.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sayso import registry
from sayso.errors import InputError, SaysoError
from sayso.ingest import IngestSummary
from sayso.inputs import iter_jsonl, max_chars_from_env
from sayso.pipeline import analyze_article, load_pipeline
from sayso.registry import Registry
from sayso.store import Store, content_hash

if TYPE_CHECKING:
    from pyspark import Broadcast
    from pyspark.rdd import RDD
    from pyspark.sql import SparkSession
    from pyspark.sql.types import StructType

DEFAULT_MASTER = "local[*]"
FORMATS = ("jsonl", "parquet")
# Spark reads these compressed too (.jsonl.gz, .jsonl.bz2).
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
PARQUET_SUFFIXES = (".parquet", ".parq")
# The input fields a record may hold: those of sayso's JSONL format.
INPUT_FIELDS = ("id", "text", "html", "url", "outlet", "published", "title", "home")
# One output row per article, in this column order (see result_schema).
RESULT_COLUMNS = (
    "id",
    "line",
    "source",
    "content_hash",
    "url",
    "title",
    "outlet",
    "published",
    "schema_version",
    "analysis",
    "error",
)
# Partitions per core when none are asked for: analysis is CPU-bound and costs about the
# same per article, so a few partitions per core keep every core busy to the end without
# paying much per-partition set-up.
PARTITIONS_PER_CORE = 2
# Rows per Parquet file written: small files are read back a batch at a time anyway, and
# a slow or failed task then redoes little.
MAX_RECORDS_PER_FILE = 5000
# Rows per batch when a result set is loaded into a store.
LOAD_BATCH_ROWS = 64
# Settings for local mode on a small machine (2 cores, a few GB): no web UI, few shuffle
# partitions, a modest driver (the Python workers, which hold the models, are separate
# processes), loopback networking only, and Python workers reused between tasks, which is
# what keeps the spaCy pipeline loaded from one partition to the next.
LOCAL_CONF: Mapping[str, str] = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "1g",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.python.worker.reuse": "true",
    "spark.sql.session.timeZone": "UTC",
}
INSTALL_HINT = "install it with: pip install 'sayso[spark]' (Spark also needs Java 17 or newer)"
INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True)
class SparkSummary:
    """What one Spark run wrote: ``line()`` is the summary the CLI prints."""

    output: str
    analysed: int
    errors: int
    partitions: int
    elapsed: float

    def line(self) -> str:
        return (
            f"analysed {self.analysed}, errors {self.errors}, {self.partitions} partitions, "
            f"{self.elapsed:.1f} s; Parquet written to {self.output}"
        )


def _pyspark() -> Any:
    """The pyspark module, or a SaysoError that says how to install it and what it needs."""
    try:
        import pyspark
    except ImportError as error:
        raise SaysoError(f"`sayso spark` needs pyspark; {INSTALL_HINT}") from error
    return pyspark


def is_local(master: str | None) -> bool:
    """Whether ``master`` names local mode (None: spark-submit's, not known here)."""
    return master is not None and master.startswith("local")


def spark_session(
    master: str | None = DEFAULT_MASTER,
    *,
    app_name: str = "sayso",
    progress: bool = False,
    conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """A Spark session for sayso: local mode gets LOCAL_CONF, and its Python workers run
    this very interpreter (the one sayso is installed in).

    ``master`` None leaves the master to ``spark-submit``. On a cluster the workers'
    Python is ``PYSPARK_PYTHON`` when set (``spark-submit --conf spark.pyspark.python=...``
    sets it), else this interpreter's path, which must then exist on every worker.
    ``progress`` shows Spark's progress bar on stderr; ``conf`` adds or overrides settings.
    """
    _pyspark()
    from pyspark.sql import SparkSession

    if is_local(master):
        os.environ["PYSPARK_PYTHON"] = sys.executable
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    else:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    launched = os.environ.get("PYSPARK_GATEWAY_PORT") is not None  # by spark-submit
    if not launched and shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SaysoError("Spark needs Java 17 or newer, and no `java` was found on PATH")
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    settings = dict(LOCAL_CONF) if is_local(master) else {}
    settings["spark.ui.showConsoleProgress"] = str(progress).lower()
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as error:  # Java missing or too old, a bad master URL, ...
        raise SaysoError(f"cannot start Spark: {_first_line(error)}") from error
    spark.sparkContext.setLogLevel("ERROR")
    return spark


@contextmanager
def session(master: str | None = None, *, progress: bool = False) -> Iterator[SparkSession]:
    """The active Spark session when there is one (a caller's, or spark-submit's), else a
    new one, stopped on exit. ``master`` None means spark-submit's when run by it, else
    local mode on every core."""
    _pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    if master is None and os.environ.get("PYSPARK_GATEWAY_PORT") is None:
        master = DEFAULT_MASTER
    spark = spark_session(master, progress=progress)
    try:
        yield spark
    finally:
        spark.stop()


def detect_format(path: str | Path) -> str:
    """``jsonl`` or ``parquet``, by the name of the input, or for a local folder by the
    first file in it that tells; raises InputError when neither tells."""
    found = _format_of(str(path).rstrip("/"))
    if found is None and Path(path).is_dir():
        names = (file.name for file in sorted(Path(path).rglob("*")) if file.is_file())
        found = next((kind for name in names if (kind := _format_of(name))), None)
    if found is None:
        raise InputError(
            f"cannot tell whether {path} is JSONL or Parquet from its name; give --format "
            "jsonl or --format parquet"
        )
    return found


def _format_of(name: str) -> str | None:
    name = name.lower()
    for compression in ("", ".gz", ".bz2"):
        if name.endswith(tuple(suffix + compression for suffix in JSONL_SUFFIXES)):
            return "jsonl"
    return "parquet" if name.endswith(PARQUET_SUFFIXES) else None


def analyze_dataset(
    spark: SparkSession,
    source: str | Path,
    output: str | Path,
    *,
    input_format: str | None = None,
    partitions: int | None = None,
    fast: bool = False,
    registry_files: Iterable[str | Path] = (),
    max_chars: int | None = None,
    check_language: bool = True,
    overwrite: bool = False,
) -> SparkSummary:
    """Analyse every article of the dataset ``source`` and write one Parquet row per
    article to the folder ``output`` (columns: RESULT_COLUMNS; see ``result_schema``).

    ``source`` is JSONL (one article a line, as for ``sayso analyze``) or Parquet with the
    same fields as columns; a folder or a glob works too. ``partitions`` is how many
    partitions the articles are analysed in (default: PARTITIONS_PER_CORE per core);
    ``fast``, ``registry_files``, ``max_chars`` and ``check_language`` are those of
    ``sayso analyze``. An existing ``output`` is refused unless ``overwrite``.
    """
    started = time.monotonic()
    source, output = _absolute(str(source)), _absolute(str(output))
    input_format = check_paths(source, output, input_format=input_format, overwrite=overwrite)
    if max_chars is not None and max_chars <= 0:
        raise InputError(f"the character limit must be positive, not {max_chars}")
    limit = max_chars or max_chars_from_env()
    sources = registry.load(tuple(registry_files))
    records = _numbered_records(spark, source, input_format)
    target = partitions or max(
        records.getNumPartitions(), spark.sparkContext.defaultParallelism * PARTITIONS_PER_CORE
    )
    if target != records.getNumPartitions():
        records = records.repartition(target)
    shared = spark.sparkContext.broadcast(sources)
    task = partial(
        analyze_partition,
        source=source,
        id_prefix="line" if input_format == "jsonl" else "row",
        sources=shared,
        fast=fast,
        max_chars=limit,
        check_language=check_language,
    )
    rows = records.mapPartitions(task)
    try:
        frame = spark.createDataFrame(rows, result_schema())
        writer = frame.write.mode("overwrite" if overwrite else "errorifexists")
        writer.option("maxRecordsPerFile", MAX_RECORDS_PER_FILE).parquet(output)
        analysed, errors = _count(spark, output)
    except Exception as error:
        raise SaysoError(f"the Spark job failed: {_first_line(error)}") from error
    finally:
        shared.destroy()
    return SparkSummary(output, analysed, errors, target, time.monotonic() - started)


def result_schema() -> StructType:
    """The Parquet schema of a result row: the analysis record as JSON text (null for an
    article that failed) and ``error`` (code, message; null for an article analysed)."""
    _pyspark()
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    error = StructType(
        [StructField("code", StringType(), False), StructField("message", StringType(), False)]
    )
    fields = [
        StructField(name, LongType() if name == "line" else StringType(), name != "line")
        for name in RESULT_COLUMNS[:-1]
    ]
    return StructType([*fields, StructField("error", error, True)])


def check_paths(
    source: str | Path, output: str | Path, *, input_format: str | None, overwrite: bool
) -> str:
    """The input's format, once a missing local input, an unknown format and an existing
    local output are refused: what can be checked before Spark starts (remote paths, such
    as hdfs:// or s3a://, are Spark's to check)."""
    source, output = _absolute(str(source)), _absolute(str(output))
    if "://" not in source and not glob.glob(source):
        raise InputError(f"no such file or folder: {source}")
    input_format = input_format or detect_format(source)
    if input_format not in FORMATS:
        raise InputError(f"unknown input format {input_format!r}; use jsonl or parquet")
    if "://" not in output and Path(output).exists() and not overwrite:
        raise SaysoError(f"{output} exists already; give another --output or --overwrite")
    return input_format


def _absolute(path: str) -> str:
    """A local path made absolute (the store names sources by it, as ingest does); a
    URL such as hdfs://... or s3a://... as it is."""
    return path if "://" in path else os.path.abspath(path)


def _numbered_records(spark: SparkSession, source: str, input_format: str) -> RDD:
    """(raw record, 0-based index) pairs: JSONL lines as text, Parquet rows as Rows."""
    if input_format == "jsonl":
        lines = spark.sparkContext.textFile(source)
        return lines.zipWithIndex()
    try:
        frame = spark.read.parquet(source)
    except Exception as error:
        raise InputError(f"cannot read {source} as Parquet: {_first_line(error)}") from error
    columns = [name for name in INPUT_FIELDS if name in frame.columns]
    if "text" not in columns and "html" not in columns:
        raise InputError(
            f"{source} has neither a text nor an html column; it has {', '.join(frame.columns)}"
        )
    return frame.select(*columns).rdd.zipWithIndex()


def analyze_partition(
    records: Iterable[tuple[Any, int]],
    *,
    source: str,
    id_prefix: str,
    sources: Broadcast[Registry] | Registry,
    fast: bool,
    max_chars: int,
    check_language: bool,
) -> Iterator[tuple[Any, ...]]:
    """Result rows for one partition of (raw record, index) pairs, run on an executor.

    The pipeline and the registry are loaded here, once per partition, before the first
    row; an article without an ``id`` gets ``{id_prefix}-{line}`` (as in ``sayso
    analyze batch.jsonl``).
    """
    if not isinstance(sources, Registry):
        sources = sources.value
    load_pipeline()
    for raw, index in records:
        line = index + 1
        row = analyze_record(
            raw,
            line=line,
            source=f"{source}#{line}",
            default_id=f"{id_prefix}-{line}",
            sources=sources,
            fast=fast,
            max_chars=max_chars,
            check_language=check_language,
        )
        if row is not None:
            yield row


def analyze_record(
    raw: Any,
    *,
    line: int,
    source: str,
    default_id: str,
    sources: Registry,
    fast: bool = False,
    max_chars: int | None = None,
    check_language: bool = True,
) -> tuple[Any, ...] | None:
    """One result row (RESULT_COLUMNS) for one JSONL line (str) or Parquet row (a Row or
    a mapping); None for a blank line. Never raises: a failure fills ``error`` and leaves
    ``analysis`` null."""
    given = _given_fields(raw)
    text_hash = None
    try:
        line_text = raw if isinstance(raw, str) else _json_line(raw)
        results = list(iter_jsonl([line_text], max_chars=max_chars, check_language=check_language))
        if not results:
            return None
        article = results[0][1]
        if isinstance(article, InputError):
            raise article
        text_hash = content_hash(article.text)
        if article.id is None:
            article.id = default_id
        record = analyze_article(article, sources, fast=fast).to_dict()
    except SaysoError as error:
        given["id"] = given["id"] or default_id
        return _row(given, line, source, text_hash, error=(error.code, str(error)))
    except Exception as error:  # one article's failure must not end the job
        given["id"] = given["id"] or default_id
        message = f"internal error: {type(error).__name__}: {error}"
        return _row(given, line, source, text_hash, error=(INTERNAL_ERROR, message))
    meta = record["meta"]
    fields = {name: meta.get(name) for name in ("url", "title", "outlet", "published")}
    fields["id"] = record.get("id")
    analysis = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return _row(fields, line, source, text_hash, record["schema_version"], analysis)


def _row(
    fields: Mapping[str, Any],
    line: int,
    source: str,
    text_hash: str | None,
    schema_version: str | None = None,
    analysis: str | None = None,
    error: tuple[str, str] | None = None,
) -> tuple[Any, ...]:
    values = {
        **fields,
        "line": line,
        "source": source,
        "content_hash": text_hash,
        "schema_version": schema_version,
        "analysis": analysis,
        "error": error,
    }
    return tuple(values.get(name) for name in RESULT_COLUMNS)


def _record_dict(raw: Any) -> dict[str, Any] | None:
    """The record as a dict: a Parquet Row, a mapping, or a JSONL line that parses."""
    if hasattr(raw, "asDict"):
        return raw.asDict()
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        record = json.loads(raw)
    except (ValueError, TypeError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def _given_fields(raw: Any) -> dict[str, str | None]:
    """id, url, title, outlet and published as the input gave them: what a failed row
    keeps, so the article can be found again."""
    record = _record_dict(raw) or {}
    fields: dict[str, str | None] = {}
    for name in ("id", "url", "title", "outlet", "published"):
        value = _json_safe(record.get(name))
        fields[name] = str(value) if isinstance(value, (str, int, float)) else None
    return fields


def _json_line(raw: Any) -> str:
    """A Parquet row as the JSONL line with the same fields, for the input boundary."""
    record = _record_dict(raw) or {}
    return json.dumps({key: _json_safe(value) for key, value in record.items()})


def _json_safe(value: Any) -> Any:
    """Parquet values JSON has no type for: dates and times as ISO text, bytes as UTF-8."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return value


def _count(spark: SparkSession, output: str) -> tuple[int, int]:
    """Rows written to ``output``: (analysed, failed)."""
    from pyspark.sql import functions

    frame = spark.read.parquet(output)
    row = frame.agg(
        functions.count(functions.lit(1)).alias("rows"),
        functions.count("error").alias("errors"),
    ).first()
    rows, errors = int(row["rows"]), int(row["errors"])
    return rows - errors, errors


def _first_line(error: BaseException) -> str:
    """The line of an error's message that says what went wrong: Spark's messages carry a
    JVM stack trace after it, or a Python worker's traceback before it."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    return lines[-1] if any(line.startswith("Traceback") for line in lines) else lines[0]


# Loading results into a store: pyarrow reads the Parquet files a batch at a time, so a
# result set of any size loads in flat memory, without Java.


def load_results(results: str | Path, db: str | Path) -> IngestSummary:
    """Store every analysed row of the result folder ``results`` in the store at ``db``
    (created when missing) and record every failed row in its ``errors`` table.

    A text already stored (same content hash) is skipped before its JSON is even parsed,
    so loading the same results twice stores nothing twice; a row stored now resolves the
    open error of its source, as ``sayso ingest`` does.
    """
    batches = _result_batches(results)
    summary = IngestSummary()
    with Store.open(db) as store:
        open_errors = store.open_errors()
        for batch in batches:
            for row in batch:
                _load_row(store, row, summary, open_errors)
            summary.tick()
    summary.tick()
    return summary


def _result_batches(results: str | Path) -> Iterator[list[dict[str, Any]]]:
    """The result rows, LOAD_BATCH_ROWS at a time, in file order."""
    try:
        import pyarrow.dataset
    except ImportError as error:
        raise SaysoError(f"loading Spark results needs pyarrow; {INSTALL_HINT}") from error
    path = Path(results)
    if not path.exists():
        raise InputError(f"no such file or folder: {results}")
    try:
        dataset = pyarrow.dataset.dataset(str(path), format="parquet")
    except Exception as error:  # pyarrow's errors for what is not Parquet vary
        raise InputError(f"{results} is not a Parquet dataset: {_first_line(error)}") from error
    missing = [name for name in RESULT_COLUMNS if name not in dataset.schema.names]
    if missing:
        raise InputError(
            f"{results} holds no `sayso spark run` results: it lacks {', '.join(missing)}"
        )
    for batch in dataset.to_batches(columns=list(RESULT_COLUMNS), batch_size=LOAD_BATCH_ROWS):
        yield batch.to_pylist()


def _load_row(
    store: Store, row: dict[str, Any], summary: IngestSummary, open_errors: dict[str, str]
) -> None:
    source = row["source"]
    error = row["error"]
    if error is not None:
        file = source.rpartition("#")[0] or source
        store.record_error(source, row["line"], error["code"], error["message"], file=file)
        summary.errors += 1
        return
    if store.has_article(row["content_hash"]):
        summary.already_stored += 1
    else:
        added = store.add_article(json.loads(row["analysis"]), source=source)
        summary.stored += added.stored
        summary.already_stored += not added.stored
        summary.near_duplicates += added.duplicate_of is not None
    if source in open_errors:
        store.resolve_errors([source])
        del open_errors[source]


__all__ = [
    "RESULT_COLUMNS",
    "SparkSummary",
    "analyze_dataset",
    "analyze_partition",
    "analyze_record",
    "check_paths",
    "detect_format",
    "load_results",
    "result_schema",
    "session",
    "spark_session",
]


if __name__ == "__main__":
    # For spark-submit, which runs a .py file: spark-submit [...] .../sayso/spark.py run
    # INPUT --output DIR is `sayso spark run INPUT --output DIR` on the cluster.
    from sayso.cli import cli

    cli(["spark", *sys.argv[1:]], prog_name="sayso")
