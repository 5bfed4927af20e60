"""sayso on Spark in local mode: JSONL and Parquet datasets in, one Parquet row per article
out (a bad article carrying its error, the rest the very record ``analyze_article`` gives),
then the results loaded into a store, twice, with nothing stored twice.

One SparkSession (``local[2]``) serves the whole module; most runs use ``fast`` since the
persuasion model costs time. Every article text was written for these tests.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet
import pytest
from click.testing import CliRunner

from sayso.cli import cli
from sayso.contract import validate_record
from sayso.errors import InputError, SaysoError
from sayso.inputs import iter_jsonl
from sayso.model import SCHEMA_VERSION
from sayso.pipeline import analyze_article
from sayso.spark import (
    RESULT_COLUMNS,
    analyze_dataset,
    detect_format,
    load_results,
    result_schema,
    spark_session,
)
from sayso.store import Store, content_hash

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None, reason="Spark needs Java 17 or newer and no `java` is on PATH"
)

BRIDGE = (
    "Bridge repairs to last until spring\n\n"
    "Repairs to the Old Mill bridge will keep it closed until March, the county roads "
    "department said on Monday. According to the department's chief engineer, Tomas Berg, "
    "water had reached the foundations of two piers. Local traders said the closure was "
    "costing them customers every week."
)
HARVEST = (
    "Wheat growers in the northern plain expect their smallest harvest in a decade after a "
    "dry spring, the farmers' association said in a statement. The agriculture ministry "
    "said it would publish its own estimate next month."
)
MUSEUM = (
    "The city museum will reopen in June after two years of work, its director told the "
    'Evening Star. "The new galleries will show pieces that have never left our stores," '
    "said Lena Okafor, who has led the museum since 2019."
)
STRIKE = (
    "Dock workers at the eastern port began a 48-hour strike on Friday over pay, their "
    "union said. The port authority reportedly warned shipping firms to expect delays."
)
HOSPITAL_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Hospital wing opens | Coast Herald</title>
<meta property="og:site_name" content="Coast Herald"></head><body>
<nav><a href="/">Home</a> <a href="/local">Local</a></nav>
<article><h1>Hospital wing opens</h1>
<p>A new children's wing opened at the district hospital on Tuesday, the health board said,
adding forty beds and a second operating theatre.</p>
<p>Nurses told the Coast Herald that staffing remained their main worry for the winter.</p>
</article><footer>All rights reserved</footer></body></html>"""

RECORDS: list[dict[str, Any]] = [
    {"id": "bridge", "text": BRIDGE, "outlet": "Valley Gazette", "published": "2025-09-01"},
    {"text": HARVEST, "url": "https://example.org/harvest", "title": "Smallest harvest"},
    {"id": 7, "text": MUSEUM, "outlet": "Evening Star", "published": "2025-03-14"},
    {"id": "empty", "text": "   ", "url": "https://example.org/empty"},
    {"text": STRIKE, "published": "2025-10-10T08:30:00Z"},
    {"id": "hospital", "html": HOSPITAL_HTML, "url": "https://example.org/hospital"},
]
# The JSONL file: the records, a malformed line and a blank line (which is no article).
JSONL_LINES = [json.dumps(record) for record in RECORDS[:3]] + [
    "{not json",
    "",
    *(json.dumps(record) for record in RECORDS[3:]),
]
BAD_LINES = {4: "malformed_record", 6: "empty_input"}
GOOD_LINES = {1, 2, 3, 7, 8}


@pytest.fixture(scope="module")
def spark():
    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spark")


@pytest.fixture(scope="module")
def jsonl_input(folder: Path) -> Path:
    path = folder / "articles.jsonl"
    path.write_text("\n".join(JSONL_LINES) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def jsonl_run(spark, jsonl_input: Path, folder: Path):
    output = folder / "jsonl-results"
    summary = analyze_dataset(spark, jsonl_input, output, fast=True, partitions=3)
    return summary, output, _rows(output)


def _rows(output: Path) -> dict[int, dict[str, Any]]:
    """The result rows by line number, read back with pyarrow."""
    rows = pyarrow.parquet.read_table(output).to_pylist()
    return {row["line"]: row for row in rows}


def _local_record(line: str, default_id: str, *, fast: bool = True) -> dict[str, Any]:
    """What analysing the line in this process gives, as `sayso analyze batch.jsonl` does."""
    ((_, article),) = list(iter_jsonl([line]))
    assert not isinstance(article, InputError)
    article.id = article.id or default_id
    return analyze_article(article, fast=fast).to_dict()


def test_one_row_per_article_and_a_summary(jsonl_run) -> None:
    summary, _, rows = jsonl_run
    assert set(rows) == GOOD_LINES | set(BAD_LINES)  # the blank line is no article
    assert (summary.analysed, summary.errors, summary.partitions) == (5, 2, 3)
    assert "analysed 5, errors 2" in summary.line()
    assert list(pyarrow.parquet.read_schema(next(_parquet_files(jsonl_run[1]))).names) == list(
        RESULT_COLUMNS
    )


def _parquet_files(output: Path):
    return iter(sorted(output.glob("*.parquet")))


def test_bad_articles_carry_their_error_and_the_job_goes_on(jsonl_run, jsonl_input) -> None:
    _, _, rows = jsonl_run
    for line, code in BAD_LINES.items():
        row = rows[line]
        assert row["error"]["code"] == code
        assert row["error"]["message"]
        assert row["analysis"] is None and row["schema_version"] is None
        assert row["source"] == f"{jsonl_input}#{line}"
    empty = rows[6]
    assert (empty["id"], empty["url"]) == ("empty", "https://example.org/empty")
    assert rows[4]["id"] == "line-4"


def test_records_validate_and_equal_the_local_analysis(jsonl_run) -> None:
    _, _, rows = jsonl_run
    for line in sorted(GOOD_LINES):
        row = rows[line]
        assert row["error"] is None
        record = json.loads(row["analysis"])
        validate_record(record)
        assert record == _local_record(JSONL_LINES[line - 1], f"line-{line}")
        meta = record["meta"]
        assert row["content_hash"] == content_hash(record["text"])
        assert row["schema_version"] == SCHEMA_VERSION
        assert row["id"] == record["id"]
        for name in ("url", "title", "outlet", "published"):
            assert row[name] == meta[name]
        assert record["techniques"] is None  # fast


def test_ids_urls_and_html(jsonl_run) -> None:
    _, _, rows = jsonl_run
    assert [rows[line]["id"] for line in (1, 2, 3, 7, 8)] == [
        "bridge",
        "line-2",
        "7",
        "line-7",
        "hospital",
    ]
    hospital = json.loads(rows[8]["analysis"])
    assert "<p>" not in hospital["text"] and "All rights reserved" not in hospital["text"]
    assert "A new children's wing opened at the district hospital" in hospital["text"]
    assert rows[8]["url"] == "https://example.org/hospital"
    assert rows[8]["title"] == "Hospital wing opens"
    museum = json.loads(rows[3]["analysis"])
    assert any(claim["kind"] == "attributed" for claim in museum["claims"])


def test_parquet_input(spark, folder: Path, jsonl_run) -> None:
    from pyspark.sql.types import DateType, StringType, StructField, StructType

    schema = StructType(
        [
            StructField("text", StringType()),
            StructField("html", StringType()),
            StructField("title", StringType()),
            StructField("published", DateType()),
        ]
    )
    data = [
        (BRIDGE, None, None, date(2025, 9, 1)),
        (None, None, "no body", None),
        (None, HOSPITAL_HTML, None, None),
    ]
    source = folder / "articles.parquet"
    spark.createDataFrame(data, schema).coalesce(1).write.parquet(str(source))
    assert detect_format(source) == "parquet"
    output = folder / "parquet-results"
    summary = analyze_dataset(spark, source, output, fast=True)
    rows = _rows(output)
    assert (summary.analysed, summary.errors) == (2, 1)
    assert rows[2]["error"]["code"] == "malformed_record"
    assert rows[2]["id"] == "row-2" and rows[2]["title"] == "no body"
    bridge = json.loads(rows[1]["analysis"])
    validate_record(bridge)
    assert bridge["id"] == "row-1" and bridge["meta"]["published"] == "2025-09-01"
    line = json.dumps({"text": BRIDGE, "published": "2025-09-01"})
    assert bridge == _local_record(line, "row-1")
    same_text = json.loads(jsonl_run[2][1]["analysis"])["text"]
    assert rows[1]["content_hash"] == content_hash(same_text)
    hospital = json.loads(rows[3]["analysis"])
    assert hospital["text"] == json.loads(jsonl_run[2][8]["analysis"])["text"]


def test_load_into_a_store_twice_stores_nothing_twice(jsonl_run, folder: Path) -> None:
    _, output, rows = jsonl_run
    db = folder / "corpus.db"
    claims = sum(len(json.loads(rows[line]["analysis"])["claims"]) for line in GOOD_LINES)
    first = load_results(output, db)
    assert (first.stored, first.already_stored, first.errors) == (5, 0, 2)
    second = load_results(output, db)
    assert (second.stored, second.already_stored, second.errors) == (0, 5, 2)
    with Store.open(db) as store:
        assert store.count("articles") == 5
        assert store.count("claims") == claims
        assert store.count("errors") == 2
        assert {row["code"] for row in store.errors()} == set(BAD_LINES.values())
        assert store.search_claims("foundations")
        stored = store.connection.execute("SELECT url FROM articles ORDER BY url").fetchall()
    assert ("https://example.org/hospital",) in stored


def test_an_existing_output_is_refused_before_any_work(spark, jsonl_run, jsonl_input) -> None:
    with pytest.raises(SaysoError, match="exists already"):
        analyze_dataset(spark, jsonl_input, jsonl_run[1], fast=True)
    with pytest.raises(InputError, match="no such file"):
        analyze_dataset(spark, jsonl_input.parent / "missing.jsonl", "unused", fast=True)


def test_load_refuses_what_is_not_a_result_set(folder: Path, jsonl_input: Path) -> None:
    with pytest.raises(InputError):
        load_results(jsonl_input, folder / "other.db")
    assert {field.name for field in result_schema().fields} == set(RESULT_COLUMNS)


def test_detect_format(tmp_path: Path) -> None:
    assert detect_format("news.jsonl.gz") == "jsonl"
    assert detect_format("hdfs://cluster/news.ndjson") == "jsonl"
    assert detect_format("s3a://bucket/news.parquet") == "parquet"
    (tmp_path / "part-1.jsonl").write_text("{}\n")
    assert detect_format(tmp_path) == "jsonl"
    with pytest.raises(InputError, match="--format"):
        detect_format("news.csv")


def test_cli_run_and_load(spark, folder: Path) -> None:
    source = folder / "cli.jsonl"
    source.write_text(json.dumps({"text": STRIKE}) + "\n" + json.dumps({"text": ""}) + "\n")
    output, db = folder / "cli-results", folder / "cli.db"
    runner = CliRunner()
    args = ["spark", "run", str(source), "--output", str(output), "--master", "local[2]"]
    result = runner.invoke(cli, [*args, "--fast", "--partitions", "2"])
    assert result.exit_code == 0, result.output
    assert "analysed 1, errors 1" in result.output
    again = runner.invoke(cli, [*args, "--fast"])
    assert again.exit_code == 1 and "exists already" in again.output
    loaded = runner.invoke(cli, ["spark", "load", str(output), "--db", str(db)])
    assert loaded.exit_code == 0, loaded.output
    assert "stored 1, already stored 0" in loaded.output
    errors = runner.invoke(cli, ["errors", "--db", str(db)])
    assert "empty_input" in errors.output and f"{source}#2" in errors.output


def test_full_analysis_with_techniques(spark, folder: Path) -> None:
    source = folder / "full.jsonl"
    line = json.dumps({"id": "museum", "text": MUSEUM})
    source.write_text(line + "\n")
    output = folder / "full-results"
    summary = analyze_dataset(spark, source, output, partitions=1)
    assert (summary.analysed, summary.errors) == (1, 0)
    record = json.loads(_rows(output)[1]["analysis"])
    validate_record(record)
    assert record["techniques"] is not None and record["genre"] is not None
    assert record == _local_record(line, "line-1", fast=False)
