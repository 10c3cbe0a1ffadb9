"""The review workflow in a real browser: Debian's Chromium, driven by Playwright, on `newsmon serve`.

No browser is downloaded: Playwright launches the system's ``chromium`` (``.ci/run`` installs
it with apt). The test is skipped only when that browser is missing. Screenshots go to
``test-artifacts/`` at the top of the repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .test_serve import REVIEWER, _template_db, review_db, row, running_server  # noqa: F401  (fixtures)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Headless and quiet: no GPU, no QUIC, no first-run or background traffic to Google.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="no Chromium to drive: install Debian's chromium package (apt-get install chromium)")

NOTE = "Already covered on 4 April; see the Mainichi piece."


def test_review_an_article_in_the_browser(review_db):
    from playwright.sync_api import expect, sync_playwright

    path, ids = review_db
    article = row(path, ids["nikkei"])
    paragraphs = [line for line in article["text"].split("\n") if line.strip()]
    ARTIFACTS.mkdir(exist_ok=True)
    with running_server(path) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            rows = page.locator("table.rows-and-columns tbody tr")

            # The first page is the review queue.
            page.goto(server.base_url + "/")
            assert page.url == f"{server.base_url}/newsmon/review_queue"
            expect(rows).to_have_count(4)
            expect(page.locator("h1")).to_contain_text("Review queue")
            page.screenshot(path=ARTIFACTS / "review-queue.png", full_page=True)

            # Search the queue for a two-character word.
            page.fill("#_search", "防衛")
            page.press("#_search", "Enter")
            page.wait_for_url("**/newsmon/review_queue?_search=*")
            expect(rows).to_have_count(1)

            # Open the article: its text in paragraphs, its evidence, a link to the original.
            page.get_by_role("link", name=article["title"], exact=True).click()
            page.wait_for_url(f"**/newsmon/articles/{ids['nikkei']}")
            expect(page.locator("h1")).to_have_text(article["title"])
            expect(page.locator("article.newsmon-text > p")).to_have_count(len(paragraphs))
            expect(page.locator("a.newsmon-original")).to_have_attribute("href", article["url"])
            expect(page.locator(".newsmon-evidence-box")).to_contain_text("反撃能力 ×5")
            page.screenshot(path=ARTIFACTS / "article.png")

            # Dismiss it with a note: back to the queue, which no longer holds it.
            page.fill("#newsmon-note", NOTE)
            page.get_by_role("button", name="Dismiss").click()
            page.wait_for_url(f"{server.base_url}/newsmon/review_queue")
            expect(page.locator(".message-info")).to_contain_text("1 row affected")
            expect(rows).to_have_count(3)
            expect(page.get_by_role("link", name=article["title"], exact=True)).to_have_count(0)

            # The article page shows the decision.
            page.goto(f"{server.base_url}/newsmon/articles/{ids['nikkei']}")
            expect(page.locator(".newsmon-current-status")).to_have_text("dismissed")
            expect(page.locator(".newsmon-note")).to_have_text(NOTE)
        finally:
            browser.close()

    after = row(path, ids["nikkei"])
    assert (after["status"], after["review_note"], after["reviewed_by"]) == ("dismissed", NOTE, REVIEWER)
    assert after["reviewed_at"]
    assert row(path, ids["japannews"])["status"] == "new"
