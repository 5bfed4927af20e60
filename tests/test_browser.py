"""The web app end to end in a real headless Chromium (Debian's ``chromium`` driven by
Playwright; no browser is downloaded): paste the seed article, see the report, click a claim
and see its chain; and a hostile article that must run nothing.

Screenshots are saved under ``tests/artifacts/`` (ignored by git). The tests skip only when
there is no chromium binary or no Playwright package.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sayso.web import create_app

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
SEEDS = sorted((Path(__file__).resolve().parents[2] / "shared" / "seeds").glob("*.txt"))
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
HOSTILE = (
    "The mayor said the new library would open in March. A spokesman told reporters that "
    "<script>window.__pwned = 1; alert('script')</script> was not a threat, and that the "
    "building <img src=x onerror=\"window.__pwned = 2; alert('img')\"> would be ready on time."
)

if CHROMIUM is None:
    pytest.skip(
        "no chromium binary (install Debian's chromium: apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The app served by uvicorn on a free 127.0.0.1 port in a background thread."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(create_app(None), host="127.0.0.1", port=port, log_level="warning")
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # the pipeline loads at start-up
    while not served.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the app did not start")
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    served.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(60_000)
    yield opened
    context.close()


def _screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


@pytest.mark.skipif(not SEEDS, reason="no seed article in ../shared/seeds/")
def test_paste_the_seed_and_follow_a_chain(server: str, page: Any) -> None:
    page.goto(server + "/")
    _screenshot(page, "home")
    page.fill("#text", SEEDS[0].read_text(encoding="utf-8"))
    page.check("#fast")
    page.click("#analyse")
    page.wait_for_selector("#sayso-data", state="attached")
    _screenshot(page, "report")
    claim = page.locator("#article [data-c]", has_text="abandoned their positions").first
    claim.click()
    detail = page.locator("#detail-body")
    sync_api.expect(detail).to_contain_text("Chain, origin to relay")
    chain = detail.locator("ol").first.inner_text()
    assert "Andrei Marochko" in chain
    assert "RIA Novosti" in chain
    assert chain.index("Andrei Marochko") < chain.index("RIA Novosti")
    _screenshot(page, "chain")


def test_hostile_article_runs_nothing(server: str, page: Any) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(server + "/")
    page.fill("#text", HOSTILE)
    page.fill("#outlet", "<script>alert('outlet')</script>")
    page.fill("#title", "<img src=x onerror=alert('title')>")
    page.check("#fast")
    page.click("#analyse")
    page.wait_for_selector("#sayso-data", state="attached")
    page.locator("#article [data-c]").first.click()
    page.wait_for_timeout(300)
    _screenshot(page, "hostile")
    assert dialogs == []
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#article script, #article img, header img").count() == 0
    assert page.locator("img[onerror]").count() == 0
    assert "alert('outlet')" in page.content()  # shown as text, escaped
