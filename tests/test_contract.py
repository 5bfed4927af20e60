"""The output contract: analysis records match the shipped JSON Schema, spans slice the text,
ids resolve, and the CLI's JSON is exactly ``Analysis.to_dict()``.

Every sample text was written for these tests.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
from click.testing import CliRunner

from sayso import analyze
from sayso.cli import cli
from sayso.contract import InvalidRecordError, analysis_schema, validate_record
from sayso.model import (
    SCHEMA_VERSION,
    Analysis,
    AttributionKind,
    ClaimKind,
    HedgeKind,
    Meta,
    SourceKind,
)

pytest.importorskip("jsonschema")

QUOTES_AND_HEDGES = (
    "Council delays bridge vote\n\n"
    "The city council postponed its vote on the new bridge on Tuesday. "
    '"We need more time to study the costs," said Maria Lopez, the council\'s finance '
    "chair. According to the transport ministry, the project could cost twice the "
    "original estimate.\n\n"
    'Officials said the so-called "savings plan" was unlikely to pass. The mayor '
    "reportedly told aides that she would veto any delay. Critics allegedly warned that "
    "the design was unsafe."
)
# Curly quotes, dashes and a character outside the Basic Multilingual Plane before the
# spans: offsets count code points, so they must still slice the text.
TYPOGRAPHY = (
    "Flood warning lifted 🌧 in river towns\n\n"
    "The river fell below the warning mark overnight — the first time in nine days. "
    "“The worst is behind us,” the county’s emergency chief, Dana Whitfield, told "
    "reporters. The weather service claimed that more rain was unlikely before Sunday, "
    "while farmers described the damage as “worse than 2019”."
)
AUTHOR_ONLY = (
    "The library on Elm Street reopened on Saturday after a year of repairs. The new "
    "reading room has forty desks and a children's corner. Opening hours are unchanged."
)
NESTED = (
    "A senior engineer at the plant told the regional newspaper that the cooling pumps "
    "had failed twice in May, the agency reported on Thursday. The company denied that "
    "any worker had been at risk, a spokeswoman said."
)
HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>Orchard harvest falls short</title>"
    '<meta property="og:site_name" content="Valley Morning Post"></head><body>'
    '<nav><a href="/">Home</a> <a href="/farming">Farming</a></nav><article>'
    "<h1>Orchard harvest falls short</h1>"
    "<p>Apple growers in the valley picked a third less fruit this autumn than last year.</p>"
    "<p>&ldquo;The late frost in April did most of the damage,&rdquo; said Henrik Aalto, "
    "who chairs the growers&rsquo; cooperative. According to the cooperative, prices at "
    "the farm gate have risen by a fifth.</p></article>"
    "<footer><p>&copy; Valley Morning Post</p></footer></body></html>"
)

SAMPLES = {
    "quotes_and_hedges": QUOTES_AND_HEDGES,
    "typography": TYPOGRAPHY,
    "author_only": AUTHOR_ONLY,
    "nested": NESTED,
}


@pytest.fixture(scope="module")
def analyses() -> dict[str, Analysis]:
    results = {name: analyze(text) for name, text in SAMPLES.items()}
    results["html"] = analyze(HTML_PAGE.encode("utf-8"))
    results["with_metadata"] = analyze(
        QUOTES_AND_HEDGES,
        article_id="bridge-1",
        outlet="The Riverside Gazette",
        published="2024-03-05",
        url="https://example.org/bridge",
    )
    return results


@pytest.fixture(scope="module")
def records(analyses: dict[str, Analysis]) -> dict[str, dict[str, Any]]:
    # Through JSON, as a consumer sees the record.
    return {name: json.loads(json.dumps(a.to_dict())) for name, a in analyses.items()}


RECORD_NAMES = [*SAMPLES, "html", "with_metadata"]


# ---------------------------------------------------------------------------- the schema


def test_schema_is_valid_draft_2020_12() -> None:
    from jsonschema import Draft202012Validator

    schema = analysis_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema["title"]
    assert schema["$id"]


def test_schema_version_matches_the_model() -> None:
    schema = analysis_schema()
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert schema["$id"].endswith(SCHEMA_VERSION)


def test_analysis_schema_returns_a_fresh_copy() -> None:
    schema = analysis_schema()
    schema["title"] = "changed"
    assert analysis_schema()["title"] != "changed"


def _object_schemas(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "(top level)", schema
    yield from schema["$defs"].items()


def test_every_field_is_described_and_every_object_closed() -> None:
    for name, node in _object_schemas(analysis_schema()):
        assert node.get("description"), name
        if node.get("type") != "object":
            continue
        assert node["additionalProperties"] is False, name
        for key, child in node["properties"].items():
            assert child.get("description") or "$ref" in child, f"{name}.{key}"


def test_schema_enums_match_the_model() -> None:
    defs = analysis_schema()["$defs"]
    assert defs["source"]["properties"]["kind"]["enum"] == list(get_args(SourceKind))
    assert defs["claim"]["properties"]["kind"]["enum"] == list(get_args(ClaimKind))
    assert defs["attribution"]["properties"]["kind"]["enum"] == list(get_args(AttributionKind))
    assert defs["hedge"]["properties"]["kind"]["enum"] == list(get_args(HedgeKind))


def test_schema_keys_match_the_model(records: dict[str, dict[str, Any]]) -> None:
    schema = analysis_schema()
    defs = schema["$defs"]
    record = records["with_metadata"]
    assert set(schema["properties"]) == set(record)
    assert set(schema["required"]) == set(record) - {"id"}
    assert set(defs["meta"]["properties"]) == {f.name for f in dataclasses.fields(Meta)}
    attribution = record["attributions"][0]
    assert set(defs["attribution"]["properties"]) == set(attribution)
    assert set(defs["attribution"]["required"]) == set(attribution)
    assert set(defs["source"]["required"]) == set(attribution["chain"][0])
    assert set(defs["span"]["required"]) == set(attribution["cue"])
    assert set(defs["claim"]["required"]) == set(record["claims"][0])
    hedged = [h for a in record["attributions"] for h in a["hedges"]]
    assert set(defs["hedge"]["required"]) == set(hedged[0])


# ---------------------------------------------------------------------------- records


@pytest.mark.parametrize("name", RECORD_NAMES)
def test_record_validates(records: dict[str, dict[str, Any]], name: str) -> None:
    validate_record(records[name])


def test_samples_exercise_the_schema(records: dict[str, dict[str, Any]]) -> None:
    """The samples cover what the checks below are about, so they cannot pass vacuously."""
    attributions = [a for r in records.values() for a in r["attributions"]]
    assert {a["kind"] for a in attributions} >= {"direct", "indirect"}
    assert any(a["hedges"] for a in attributions)
    assert any(len(a["chain"]) > 0 for a in attributions)
    claims = [c for r in records.values() for c in r["claims"]]
    assert {c["kind"] for c in claims} == {"attributed", "author"}
    assert records["author_only"]["attributions"] == []
    assert records["with_metadata"]["id"] == "bridge-1"
    assert "id" not in records["quotes_and_hedges"]
    assert records["html"]["meta"]["outlet"] == "Valley Morning Post"


def _spans(record: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every span-like object in a record, with where it is."""
    for i, attribution in enumerate(record["attributions"]):
        for role in ("source", "cue", "content"):
            if attribution[role] is not None:
                yield f"attributions/{i}/{role}", attribution[role]
        for j, link in enumerate(attribution["chain"]):
            if link["mention"] is not None:
                yield f"attributions/{i}/chain/{j}/mention", link["mention"]
        for j, hedge in enumerate(attribution["hedges"]):
            yield f"attributions/{i}/hedges/{j}", hedge
    for i, claim in enumerate(record["claims"]):
        yield f"claims/{i}", claim
        for j, flag in enumerate((claim["provenance"] or {}).get("flags", [])):
            if flag["evidence"] is not None:
                yield f"claims/{i}/provenance/flags/{j}/evidence", flag["evidence"]
    for i, source in enumerate(record["sources"]):
        for j, mention in enumerate(source["mentions"]):
            yield f"sources/{i}/mentions/{j}", mention
    for i, expression in enumerate(record["dates"]):
        yield f"dates/{i}", expression


@pytest.mark.parametrize("name", RECORD_NAMES)
def test_every_span_slices_the_text(records: dict[str, dict[str, Any]], name: str) -> None:
    record = records[name]
    text = record["text"]
    spans = list(_spans(record))
    if record["attributions"]:
        assert spans
    for where, span in spans:
        assert 0 <= span["start"] <= span["end"] <= len(text), where
        assert text[span["start"] : span["end"]] == span["text"], where


@pytest.mark.parametrize("name", RECORD_NAMES)
def test_ids_are_unique_and_resolve(records: dict[str, dict[str, Any]], name: str) -> None:
    record = records[name]
    claims = {claim["id"]: claim for claim in record["claims"]}
    assert len(claims) == len(record["claims"])
    attribution_ids = [a["id"] for a in record["attributions"]]
    assert len(set(attribution_ids)) == len(attribution_ids)
    referenced = set()
    for attribution in record["attributions"]:
        claim_id = attribution["claim_id"]
        if claim_id is None:
            continue
        assert claim_id in claims, attribution["id"]
        claim = claims[claim_id]
        assert claim["kind"] == "attributed"
        content = attribution["content"]
        assert content is not None
        assert (claim["start"], claim["end"]) == (content["start"], content["end"])
        referenced.add(claim_id)
    attributed = {c["id"] for c in record["claims"] if c["kind"] == "attributed"}
    assert attributed == referenced


@pytest.mark.parametrize("name", RECORD_NAMES)
def test_records_are_in_text_order(records: dict[str, dict[str, Any]], name: str) -> None:
    starts = [(c["start"], c["end"]) for c in records[name]["claims"]]
    assert starts == sorted(starts)


def test_offsets_count_code_points(records: dict[str, dict[str, Any]]) -> None:
    record = records["typography"]
    text = record["text"]
    assert "🌧" in text
    quote = next(a for a in record["attributions"] if a["kind"] == "direct")
    assert text[quote["content"]["start"]] == "“"
    # A UTF-16 or UTF-8 count would put the span elsewhere.
    assert len(text.encode("utf-16-le")) // 2 > len(text)


# ---------------------------------------------------------------------------- violations


def _first_hedge(record: dict[str, Any]) -> dict[str, Any]:
    return next(a["hedges"][0] for a in record["attributions"] if a["hedges"])


def _mutated(record: dict[str, Any], change: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(record))
    change(copy)
    return copy


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda r: r.update(schema_version="0.9.0"), "schema_version"),
        (lambda r: r.update(propaganda=[]), "(top level)"),
        (lambda r: r.update(line=3), "(top level)"),
        (lambda r: r.pop("warnings"), "(top level)"),
        (lambda r: r["meta"].pop("language"), "meta"),
        (lambda r: r["meta"].update(published="5 March 2024"), "meta/published"),
        (lambda r: r["attributions"][0].update(kind="quoted"), "attributions/0/kind"),
        (lambda r: r["attributions"][0]["cue"].update(start=-1), "attributions/0/cue/start"),
        (lambda r: r["attributions"][0]["cue"].update(extra=1), "attributions/0/cue"),
        (lambda r: r["attributions"][0]["chain"][0].update(kind="group"), "chain/0/kind"),
        (lambda r: _first_hedge(r).update(kind="doubt"), "hedges/0/kind"),
        (lambda r: r["claims"][0].update(kind="opinion"), "claims/0/kind"),
        (lambda r: r["claims"][0].update(end="26"), "claims/0/end"),
        (lambda r: r.update(id=7), "id"),
    ],
)
def test_violations_are_reported(
    records: dict[str, dict[str, Any]], change: Any, where: str
) -> None:
    record = _mutated(records["quotes_and_hedges"], change)
    with pytest.raises(InvalidRecordError) as caught:
        validate_record(record)
    assert where in str(caught.value)
    assert caught.value.errors


def test_validation_without_jsonschema_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, records: dict[str, dict[str, Any]]
) -> None:
    from sayso import contract

    contract._validator.cache_clear()
    monkeypatch.setitem(sys.modules, "jsonschema", None)
    try:
        with pytest.raises(ImportError, match="pip install jsonschema"):
            validate_record(records["author_only"])
    finally:
        contract._validator.cache_clear()


# ---------------------------------------------------------------------------- the CLI


def _cli_json(*args: str, input: str | bytes | None = None) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["analyze", *args, "--format", "json"], input=input)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", list(SAMPLES))
def test_cli_json_is_the_record(tmp_path: Path, analyses: dict[str, Analysis], name: str) -> None:
    path = tmp_path / f"{name}.txt"
    path.write_text(SAMPLES[name], encoding="utf-8")
    record = _cli_json(str(path))
    assert record == analyses[name].to_dict()
    validate_record(record)


def test_cli_json_of_html_is_the_record(tmp_path: Path, analyses: dict[str, Analysis]) -> None:
    path = tmp_path / "orchard.html"
    path.write_bytes(HTML_PAGE.encode("utf-8"))
    assert _cli_json(str(path)) == analyses["html"].to_dict()


def test_cli_json_with_metadata_options_is_the_record(analyses: dict[str, Analysis]) -> None:
    record = _cli_json(
        "-",
        "--outlet",
        "The Riverside Gazette",
        "--published",
        "2024-03-05",
        "--url",
        "https://example.org/bridge",
        input=QUOTES_AND_HEDGES,
    )
    expected = analyses["with_metadata"].to_dict()
    del expected["id"]  # the CLI takes no id for a single article
    assert record == expected


def test_cli_jsonl_lines_are_schema_valid_records(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"id": "n1", "text": NESTED}),
        json.dumps({"id": 2, "text": AUTHOR_ONLY, "outlet": "Elm Street News"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["analyze", str(path)])
    assert result.exit_code == 0, result.output
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in outputs] == ["n1", "2"]
    expected = [
        analyze(NESTED, article_id="n1").to_dict(),
        analyze(AUTHOR_ONLY, article_id="2", outlet="Elm Street News").to_dict(),
    ]
    for output, record in zip(outputs, expected, strict=True):
        assert output == record
        validate_record(output)


def test_schema_enums_match_the_persuasion_taxonomy() -> None:
    from sayso.taxonomy import FRAMES, GENRES, GROUP_OF, GROUPS

    defs = analysis_schema()["$defs"]
    assert set(defs["technique"]["properties"]["technique"]["enum"]) == set(GROUP_OF)
    assert defs["technique"]["properties"]["group"]["enum"] == list(GROUPS)
    assert set(defs["frame"]["properties"]["frame"]["enum"]) == set(FRAMES)
    assert set(defs["genre"]["properties"]["label"]["enum"]) == set(GENRES)


def test_stage_modules_import_without_the_pipeline() -> None:
    """The training scripts import the persuasion modules where spaCy is not installed; the
    package's ``analyze`` loads the pipeline only when first used."""
    import subprocess

    code = (
        "import sys; sys.modules['spacy'] = None\n"
        "import sayso, sayso.persuasion, sayso.persuasion_eval\n"
        "assert 'sayso.pipeline' not in sys.modules\n"
        "try:\n"
        "    sayso.analyze\n"
        "except ImportError:\n"
        "    print('analyze needs spacy')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "analyze needs spacy"
    assert analyze.__module__ == "sayso.pipeline"
    with pytest.raises(AttributeError, match="no attribute 'analyse'"):
        _ = sys.modules["sayso"].analyse
