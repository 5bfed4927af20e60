"""The web app and its JSON API (sayso.web), through FastAPI's TestClient: analysis records,
typed errors, the size limit, browsing a small corpus built here, escaping of hostile
articles, and the OpenAPI description.

Every article text was written for these tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from sayso import web
from sayso.cli import cli
from sayso.clustering import cluster_claims
from sayso.contract import validate_record
from sayso.inputs import read_article
from sayso.pipeline import analyze_article
from sayso.store import Store
from sayso.web import create_app
from sayso.web_limits import MAX_BODY_BYTES

HARBOUR = (
    "Port authority pauses dredging plan\n\n"
    "The port authority has paused its plan to deepen the northern channel, two weeks after "
    "fishermen complained about silt in their nets, the Coastal Herald reported. "
    '"We will not dig another metre until the survey is finished," said Tomas Eriksen, the '
    "authority's chief engineer."
)
HARBOUR_AGAIN = (
    "Dredging halted in the northern channel\n\n"
    "According to the Coastal Herald, the port authority has paused its plan to deepen the "
    "northern channel after complaints from fishermen about silt. The work will resume once "
    "a survey of the seabed is complete, officials said on Monday."
)
HOSTILE_OUTLET = '<script>alert("outlet")</script>'
HOSTILE_TITLE = '<img src=x onerror=alert("title")>'
HOSTILE_TEXT = (
    "The mayor said the new library would open in March. "
    "A spokesman told reporters that <script>alert(1)</script> was not a real threat, and "
    'that the building <img src=x onerror="alert(2)"> would be ready on time.'
)
ARTICLE = (
    "Library opening delayed\n\n"
    "The city council said on Friday that the new central library would open two months "
    "late, after a dispute with the builders over the cost of the roof. According to the "
    "Northfield Courier, the council's chief architect, Helen Marsh, blamed a shortage of "
    "steel for the delay."
)


def _store_article(store: Store, text: str, **meta: Any) -> int:
    article = read_article(text, **meta)
    return store.add_article(
        analyze_article(article, fast=True).to_dict(), source="test"
    ).article_id


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("web") / "corpus.db"
    with Store.open(path) as store:
        ids = {
            "harbour": _store_article(
                store, HARBOUR, outlet="Harbour News", published="2025-03-01"
            ),
            "again": _store_article(
                store, HARBOUR_AGAIN, outlet="Coast Daily", published="2025-03-02"
            ),
            "hostile": _store_article(
                store, HOSTILE_TEXT, outlet=HOSTILE_OUTLET, title=HOSTILE_TITLE
            ),
        }
        store.record_error("bad<script>.txt", None, "empty_input", "<b>empty</b> input")
        cluster_claims(store)
    return {"path": path, "ids": ids}


@pytest.fixture(scope="module")
def client(corpus: dict[str, Any]) -> Iterator[TestClient]:
    app = create_app(corpus["path"])
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _no_injection(page: str) -> None:
    assert "<script>alert" not in page
    assert not re.search(r"<img[^>]*onerror", page, re.IGNORECASE)
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", page, re.IGNORECASE)


def test_analyze_returns_a_schema_valid_record(client: TestClient) -> None:
    response = client.post(
        "/api/analyze", json={"text": ARTICLE, "outlet": "Example Daily", "fast": True}
    )
    assert response.status_code == 200, response.text
    record = response.json()
    validate_record(record)
    assert record["meta"]["outlet"] == "Example Daily"
    assert record["techniques"] is None
    names = [link["name"] for a in record["attributions"] for link in a["chain"]]
    assert "Helen Marsh" in names or "Northfield Courier" in " ".join(names)


def test_analyze_reads_local_places_where_the_outlet_is_based(client: TestClient) -> None:
    body = {"text": "Police in Dublin said the fire started in a garage.", "fast": True}
    plain = client.post("/api/analyze", json=body).json()
    local = client.post("/api/analyze", json={**body, "home": "Columbus, Ohio"}).json()
    assert [p["admin1"] for p in plain["places"]] == ["L"]
    assert [p["admin1"] for p in local["places"]] == ["OH"]
    assert local["meta"]["home"] == "Columbus, Ohio"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": "   ", "fast": True}, 400, "empty_input"),
        ({"fast": True}, 400, "empty_input"),
        ({"text": ARTICLE, "published": "yesterday", "fast": True}, 400, "input_error"),
        ({"text": 42}, 422, "invalid_request"),
        (
            {"html": "<html><body><nav>a</nav></body></html>", "fast": True},
            422,
            "no_main_text",
        ),
        ({"text": ARTICLE, "home": "Zzyzxograd", "fast": True}, 422, "unknown_place"),
    ],
)
def test_analyze_errors_are_typed(
    client: TestClient, body: dict[str, Any], status: int, code: str
) -> None:
    response = client.post("/api/analyze", json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and "Traceback" not in error["message"]


def test_too_large_body_is_refused_with_413(client: TestClient) -> None:
    big = "word " * (MAX_BODY_BYTES // 5 + 10)
    response = client.post("/api/analyze", json={"text": big})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "input_too_large"


def test_too_large_chunked_body_is_refused_while_reading(client: TestClient) -> None:
    """No Content-Length: the limit is hit while the chunks arrive."""
    chunk = b"x" * 1_000_000

    def chunks() -> Iterator[bytes]:
        for _ in range(12):
            yield chunk

    response = client.post(
        "/api/analyze", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "input_too_large"


def test_upload_of_another_type_is_refused_with_415(client: TestClient) -> None:
    files = {"file": ("photo.png", b"\x89PNG\r\n\x1a\n....", "image/png")}
    response = client.post("/analyze", data={"text": ""}, files=files)
    assert response.status_code == 415
    assert "upload an .html or .txt file" in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_form_upload_gives_the_report(client: TestClient) -> None:
    html = f"<html><head><title>Library</title></head><body><article><p>{ARTICLE}</p>"
    html += "</article></body></html>"
    files = {"file": ("library.html", html.encode(), "text/html")}
    response = client.post("/analyze", data={"fast": "1", "outlet": "Up Post"}, files=files)
    assert response.status_code == 200, response.text
    assert 'id="sayso-data"' in response.text
    assert "Up Post" in response.text
    assert "script-src 'sha256-" in response.headers["content-security-policy"]


def test_empty_form_shows_a_clear_message(client: TestClient) -> None:
    response = client.post("/analyze", data={"text": " "})
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert "empty_input" in response.text


def test_browse_endpoints(client: TestClient, corpus: dict[str, Any]) -> None:
    articles = client.get("/api/articles").json()
    assert {row["id"] for row in articles} == set(corpus["ids"].values())
    found = client.get("/api/articles", params={"query": "seabed"}).json()
    assert [row["id"] for row in found] == [corpus["ids"]["again"]]
    one = client.get(f"/api/articles/{corpus['ids']['harbour']}").json()
    assert one["outlet"] == "Harbour News"
    validate_record(one["analysis"])

    clusters = client.get("/api/claims").json()
    assert clusters
    trace = client.get(f"/api/clusters/{clusters[0]['id']}").json()
    assert trace["cluster"] == clusters[0]["id"]
    assert {"verdict", "reasons", "tree", "timeline"} <= set(trace)
    verdict = clusters[0]["verdict"]
    filtered = client.get("/api/claims", params={"verdict": verdict}).json()
    assert filtered and all(row["verdict"] == verdict for row in filtered)

    assert client.get("/api/sources").status_code == 200
    errors = client.get("/api/errors").json()
    assert errors[0]["code"] == "empty_input"


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/clusters/999999", 404, "not_found"),
        ("/api/articles/999999", 404, "not_found"),
        ("/api/claims?verdict=true", 400, "input_error"),
        ('/api/claims?query="unbalanced', 400, "bad_query"),
        ("/api/nowhere", 404, "not_found"),
        ("/api/clusters/abc", 422, "invalid_request"),
    ],
)
def test_browse_errors_are_typed(client: TestClient, path: str, status: int, code: str) -> None:
    response = client.get(path)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_pages_render_and_escape(client: TestClient, corpus: dict[str, Any]) -> None:
    clusters = client.get("/api/claims").json()
    for path in [
        "/",
        "/articles",
        "/articles?query=library",
        f"/articles/{corpus['ids']['hostile']}",
        f"/articles/{corpus['ids']['harbour']}",
        "/claims",
        "/claims?query=channel",
        f"/clusters/{clusters[0]['id']}",
        "/sources",
        "/errors",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "content-security-policy" in response.headers
        _no_injection(response.text)
    listing = client.get("/articles").text
    assert "&lt;img src=x onerror=alert(&quot;title&quot;)&gt;" in listing
    assert "bad&lt;script&gt;.txt" in client.get("/errors").text


def test_hostile_article_in_the_form_is_escaped(client: TestClient) -> None:
    data = {"text": HOSTILE_TEXT, "outlet": HOSTILE_OUTLET, "title": HOSTILE_TITLE, "fast": "1"}
    response = client.post("/analyze", data=data)
    assert response.status_code == 200, response.text
    _no_injection(response.text.split('<script type="application/json"')[0])
    assert "\\u003cscript\\u003e" in response.text or "&lt;script&gt;" in response.text


def test_missing_page_is_a_page_not_json(client: TestClient) -> None:
    response = client.get("/clusters/999999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "no claim cluster 999999" in response.text


def test_unexpected_errors_are_a_generic_500(client: TestClient, monkeypatch: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(client.app.state.corpus, "sources", broken)  # type: ignore[attr-defined]
    response = client.get("/api/sources")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "internal error; see the log"}
    }
    page = client.get("/sources")
    assert page.status_code == 500 and "secret detail" not in page.text


def test_openapi_lists_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in [
        "/api/analyze",
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/claims",
        "/api/clusters/{cluster_id}",
        "/api/sources",
        "/api/errors",
    ]:
        assert path in paths
    assert "/articles" not in paths


def test_app_without_a_store(tmp_path: Path) -> None:
    with TestClient(create_app(None, preload=False)) as bare:
        response = bare.get("/api/articles")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "no_store"
        assert "Articles" not in bare.get("/").text


def test_serve_warns_off_localhost_and_refuses_a_missing_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(web, "serve", lambda db, **kwargs: calls.append({"db": db, **kwargs}))
    quiet = CliRunner().invoke(cli, ["serve"])
    assert quiet.exit_code == 0 and "WARNING" not in quiet.output
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8000 and calls[0]["db"] is None
    loud = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert loud.exit_code == 0 and "WARNING: listening on 0.0.0.0" in loud.output
    monkeypatch.undo()
    missing = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2
    assert "no sayso store" in missing.output and "Traceback" not in missing.output
