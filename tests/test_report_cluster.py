"""The claim cluster report (sayso.report_cluster), `sayso report --cluster`, and the web
app's cluster page, batch upload and events browser, over a small designed corpus: the
single-origin agency case of test_clustering, stored with hostile titles and outlets, and an
event with a hostile place and actor.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from sayso.cli import cli
from sayso.clustering import cluster_claims
from sayso.corroboration import SINGLE_ORIGIN
from sayso.inputs import read_article
from sayso.pipeline import analyze_article
from sayso.report_cluster import cluster_report
from sayso.store import Store
from sayso.web import create_app
from test_clustering import AGENCY_CLAIM

HOSTILE_TITLE = '<img src=x onerror=alert("title")>'
HOSTILE_OUTLET = '<script>alert("outlet")</script>'
HOSTILE_PLACE = '<svg onload=alert("place")>'
HOSTILE_ACTOR = '"><script>alert("actor")</script>'


def _event(**given: Any) -> dict[str, Any]:
    return {
        "type": "Battles",
        "sub_type": "Armed clash",
        "actor1": None,
        "actor2": None,
        "location": None,
        "date": {"value": "2024-03-01", "text": "Thursday"},
        "claim_id": None,
        **given,
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("cluster") / "corpus.db"
    events = [
        _event(
            actor1="Agency North",
            location={"name": "Lipky", "country": "UA", "lat": 50.1, "lon": 36.2},
        ),
        _event(
            type="Protests",
            sub_type="Peaceful protest",
            actor1="Farmers",
            location={"name": "Valley", "country": "PL", "lat": 51.0, "lon": 20.0},
        ),
        _event(actor1=HOSTILE_ACTOR, location={"name": HOSTILE_PLACE, "country": "UA"}),
    ]
    with Store.open(path) as store:
        for i, (outlet, published, text) in enumerate(AGENCY_CLAIM):
            hostile = i == 0
            article = read_article(
                text,
                outlet=HOSTILE_OUTLET if hostile else outlet,
                published=published,
                title=HOSTILE_TITLE if hostile else f"Report from {outlet}",
                url="javascript:alert(1)" if hostile else f"https://example.org/{i}",
            )
            record = analyze_article(article, fast=True).to_dict()
            record["events"] = [events[i]]
            store.add_article(record, source=outlet)
        cluster_claims(store)
        (row,) = store.clusters(query="Lipky")
        cluster = store.cluster(row["id"])
    assert cluster is not None
    return {"path": path, "cluster": cluster}


@pytest.fixture(scope="module")
def client(corpus: dict[str, Any]) -> Iterator[TestClient]:
    with TestClient(create_app(corpus["path"]), raise_server_exceptions=False) as test_client:
        yield test_client


def _no_injection(page: str) -> None:
    assert "<script>alert" not in page
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", page, re.IGNORECASE)
    assert "javascript:" not in page.split("<body>")[1].replace("javascript:alert(1)</td>", "")


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_cluster_report_shows_verdict_reports_and_escapes(corpus: dict[str, Any]) -> None:
    cluster = corpus["cluster"]
    page = cluster_report(cluster)
    assert cluster["verdict"] == SINGLE_ORIGIN
    assert SINGLE_ORIGIN in page and "Agency North" in page
    for reason in cluster["reasons"]:
        assert reason.split(":")[0] in page
    for row in cluster["claims"]:
        assert f"(article {row['article']})" in page
    assert "Report from Daily Birch" in page and 'href="https://example.org/1"' in page
    assert "&lt;img src=x onerror=alert(&quot;title&quot;)&gt;" in page
    assert "&lt;script&gt;alert(&quot;outlet&quot;)&lt;/script&gt;" in page
    assert 'href="javascript' not in page
    assert "<svg" in page and page.count("<circle") == 3
    _no_injection(page)
    # nothing from the network: no src, no external href but the articles' own links
    assert not re.search(r"<[a-z]+[^>]*\ssrc=", page)
    assert not re.search(r"<link|@import|url\(", page)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None and "script-src 'none'" in policy.group(1)
    (style,) = re.findall(r"<style>(.*?)</style>", page, re.DOTALL)
    assert f"'sha256-{_sha256(style)}'" in policy.group(1)
    assert "<script" not in page


def test_cli_writes_the_cluster_report(corpus: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "cluster.html"
    cid = str(corpus["cluster"]["id"])
    result = CliRunner().invoke(
        cli, ["report", "--cluster", cid, "--db", str(corpus["path"]), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == cluster_report(corpus["cluster"])
    missing = CliRunner().invoke(
        cli, ["report", "--cluster", "9999", "--db", str(corpus["path"]), "-o", str(out)]
    )
    assert missing.exit_code != 0 and "no cluster 9999" in missing.output
    both = CliRunner().invoke(cli, ["report", "x.txt", "--cluster", cid, "-o", str(out)])
    assert both.exit_code == 2


def test_web_cluster_page_is_the_report(client: TestClient, corpus: dict[str, Any]) -> None:
    response = client.get(f"/clusters/{corpus['cluster']['id']}")
    assert response.status_code == 200
    assert response.text == cluster_report(corpus["cluster"])
    assert "script-src 'none'" in response.headers["content-security-policy"]


GOOD = json.dumps(
    {"text": AGENCY_CLAIM[1][2], "outlet": "Daily Birch", "title": HOSTILE_TITLE, "id": "a"}
)


def test_batch_api_returns_records_and_line_errors(client: TestClient) -> None:
    body = f"{GOOD}\n{{not json\n\n".encode()
    response = client.post("/api/analyze/batch?fast=true", content=body)
    assert response.status_code == 200, response.text
    first, second = response.json()
    assert first["id"] == "a" and first["claims"]
    assert second["line"] == 2 and second["error"]["code"]


def test_batch_page_lists_results_and_links_reports(client: TestClient) -> None:
    files = {"file": ("batch.jsonl", f"{GOOD}\n[]\n".encode(), "application/x-ndjson")}
    response = client.post("/batch", files=files, data={"fast": "1"})
    assert response.status_code == 200, response.text
    _no_injection(response.text)
    links = re.findall(r'href="(/batch/reports/[^"]+)"', response.text)
    assert len(links) == 1 and "1 line(s) failed" in response.text
    report = client.get(links[0])
    assert report.status_code == 200 and "Agency North" in report.text
    assert client.get("/batch/reports/nothing").status_code == 404
    assert client.get("/batch").status_code == 200


def test_batch_over_the_line_limit_is_refused(client: TestClient) -> None:
    body = "\n".join(["{}"] * 201).encode()
    response = client.post("/api/analyze/batch", content=body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "input_too_large"


def test_events_api_filters(client: TestClient) -> None:
    every = client.get("/api/events").json()
    assert len(every) == 3
    battles = client.get("/api/events", params={"type": "battles"}).json()
    assert {row["type"] for row in battles} == {"Battles"} and len(battles) == 2
    poland = client.get("/api/events", params={"country": "pl"}).json()
    assert [row["actor1"] for row in poland] == ["Farmers"]
    lipky = client.get("/api/events", params={"q": "LIPKY"}).json()
    assert [row["place"] for row in lipky] == ["Lipky"]
    assert client.get("/api/events", params={"q": "%"}).json() == []
    assert client.get("/api/events", params={"q": "'; DROP TABLE events; --"}).json() == []
    assert len(client.get("/api/events").json()) == 3


def test_events_page_escapes_hostile_places_and_actors(client: TestClient) -> None:
    response = client.get("/events", params={"country": "UA", "q": '"><b>'})
    assert response.status_code == 200
    page = client.get("/events").text
    _no_injection(page)
    assert "&lt;svg onload=alert(&quot;place&quot;)&gt;" in page
    assert "&lt;script&gt;alert(&quot;actor&quot;)" in page
    assert 'value="&quot;&gt;&lt;b&gt;"' in response.text
