"""The HTML reports in headless Chromium (Debian ``chromium`` via Playwright).

Opens index.html, one Party and one provider report of the sample audit and checks: no console
errors, no network requests (only the page's own file), the findings table sorts and filters,
the charts are present and decoded. Then clicks from the index to the key issues, a check page
and a Party page; a filter is kept in the URL (reload restores it, back removes it) and the CSV
download holds exactly the visible rows. A full-page screenshot of each is saved to
``test-artifacts/reports/`` (or ``$AUDITOR_TEST_ARTIFACTS``).

Without chromium or Playwright the tests skip on a laptop, never when ``CI`` is set
(``make test`` installs chromium when missing).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("AUDITOR_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "reports"
PAGES = ("index.html", "party/FR.html", "provider/examplemail.html")


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    events: dict[str, list] = {"errors": [], "requests": []}
    page.on("console", lambda m: events["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    page.on("request", lambda r: events["requests"].append(r.url))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
               else route.abort())
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, events


def _column(page, col: int, table: str = "findings") -> list[str]:
    return page.eval_on_selector_all(
        f"#{table} tbody tr:not([hidden])", f"rows => rows.map(r => r.cells[{col}].textContent.trim())")


FORM = 'form.filters[data-table="findings"]'  # the findings' filters (the advisory table has its own)


@pytest.mark.parametrize("name", PAGES)
def test_page_in_chromium(browser, sample_run, name):
    path = sample_run["out"] / name
    page, events = _open(browser, path)
    try:
        assert page.get_attribute("html", "lang") == "en"
        # charts: data: PNGs, decoded by the browser
        widths = page.eval_on_selector_all('img[src^="data:image/png;base64,"]', "imgs => imgs.map(i => i.naturalWidth)")
        assert len(widths) >= 4 and all(w > 100 for w in widths), widths
        total = page.locator("#findings tbody tr").count()
        assert total > 1
        # sort by check id: ascending, then descending
        header = page.locator("#findings thead th").nth(1)
        header.click()
        asc = _column(page, 1)
        assert asc == sorted(asc) and header.get_attribute("aria-sort") == "ascending"
        header.click()
        assert _column(page, 1) == sorted(asc, reverse=True)
        # sort by severity uses the rank, not the label text: critical/high first
        page.locator("#findings thead th").nth(0).click()
        ranks = page.eval_on_selector_all("#findings tbody tr", "rows => rows.map(r => +r.cells[0].dataset.sort)")
        assert ranks == sorted(ranks)
        # filter by family: only that family's rows stay visible, and the counter says so
        family = page.locator("#findings tbody tr").first.get_attribute("data-family")
        expected = page.locator(f'#findings tbody tr[data-family="{family}"]').count()
        page.select_option(f'{FORM} select[name="family"]', family)
        visible = page.locator("#findings tbody tr:not([hidden])")
        assert visible.count() == expected < total or expected == total
        assert set(page.eval_on_selector_all("#findings tbody tr:not([hidden])",
                                             "rows => rows.map(r => r.dataset.family)")) == {family}
        assert page.locator(f"{FORM} output").text_content() == f"{expected} of {total} rows shown"
        # free-text search combines with the select; clearing both shows everything again
        page.fill(f'{FORM} input[type="search"]', "zz-no-such-text-zz")
        assert page.locator("#findings tbody tr:not([hidden])").count() == 0
        page.fill(f'{FORM} input[type="search"]', "")
        page.select_option(f'{FORM} select[name="family"]', "")
        assert page.locator("#findings tbody tr:not([hidden])").count() == total
        # the findings table lists breaches; the advisory findings are a table of their own, with
        # its own filters, that leave the findings table alone
        kinds = page.eval_on_selector_all("#findings tbody tr", "rows => rows.map(r => r.dataset.kind)")
        assert set(kinds) == {"breach"}
        adv_total = page.locator("#advisory-findings tbody tr").count()
        assert adv_total > 0  # the sample has advisory findings on every page tested
        assert set(page.eval_on_selector_all("#advisory-findings tbody tr",
                                             "rows => rows.map(r => r.dataset.kind)")) == {"advisory"}
        adv_form = 'form.filters[data-table="advisory-findings"]'
        check = page.locator("#advisory-findings tbody tr").first.locator("td").nth(1).text_content().strip()
        page.fill(f'{adv_form} input[type="search"]', check)
        assert set(_column(page, 1, "advisory-findings")) == {check}
        assert page.locator("#findings tbody tr:not([hidden])").count() == total
        page.fill(f'{adv_form} input[type="search"]', "")
        assert page.locator("#advisory-findings tbody tr:not([hidden])").count() == adv_total
        # a finding links to its check's page (and its Party's and provider's pages)
        first = page.locator("#findings tbody tr").first
        href = first.locator("td").nth(1).locator("a").get_attribute("href")
        assert href.endswith(f"check/{first.get_attribute('data-check')}.html") and (path.parent / href).is_file()
        party = first.locator("td").nth(5).locator("a").get_attribute("href")
        assert party.endswith(".html") and (path.parent / party).is_file()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / (name.replace("/", "__").replace(".html", ".png"))
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        assert events["errors"] == []
        assert [u for u in events["requests"] if u != path.as_uri()] == []
    finally:
        page.close()


def test_french_page_lang(browser, sample_run, tmp_path):
    import os as _os

    from click.testing import CliRunner

    from auditor.cli import main

    old = _os.getcwd()
    _os.chdir(sample_run["work"])
    try:
        res = CliRunner().invoke(main, ["report", "--out", str(tmp_path), "--format", "html", "--lang", "fr"])
    finally:
        _os.chdir(old)
    assert res.exit_code == 0, res.output
    page, events = _open(browser, tmp_path / "party" / "FR.html")
    try:
        assert page.get_attribute("html", "lang") == "fr"
        assert "Vue d'ensemble" in page.content() and "Résultats des contrôles" in page.content()
        assert events["errors"] == []
    finally:
        page.close()


def test_drill_down_filter_in_url_back_button_and_csv(browser, sample_run, tmp_path):
    """index -> issues.html -> a check page -> a Party page; a filter goes into the URL, a reload
    restores it, back removes it; "Download visible rows as CSV" writes exactly the visible rows."""
    import csv
    import io
    from urllib.parse import parse_qs, urlsplit

    out = sample_run["out"]
    page, events = _open(browser, out / "index.html")
    try:
        with page.expect_navigation():
            page.click("#key-issues-link a")
        assert page.url.endswith("/issues.html")
        first = page.locator("#issues tbody tr").first
        check = first.get_attribute("data-check")
        with page.expect_navigation():
            first.locator("td").nth(1).locator("a").click()
        assert page.url.endswith(f"/check/{check}.html") and check in page.locator("h1").text_content()
        with page.expect_navigation():
            page.locator("#results-party tbody tr td a").first.click()
        assert "/party/" in page.url
        total = page.locator("#findings tbody tr").count()
        value = page.eval_on_selector(f'{FORM} select[name="check"]',
                                      "s => s.options[s.options.length - 1].value")
        expected = page.locator(f'#findings tbody tr[data-check="{value}"]').count()
        assert expected > 0
        page.select_option(f'{FORM} select[name="check"]', value)
        assert parse_qs(urlsplit(page.url).query) == {"findings.check": [value]}
        assert page.locator("#findings tbody tr:not([hidden])").count() == expected
        page.reload()
        assert page.eval_on_selector(f'{FORM} select[name="check"]', "s => s.value") == value
        assert page.locator("#findings tbody tr:not([hidden])").count() == expected
        # the CSV holds the visible rows, header first, request ids as shown
        with page.expect_download() as dl:
            page.click(f"{FORM} button.csv")
        text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:2] == ["Severity", "Check"] and len(rows) == expected + 1
        assert {r[1] for r in rows[1:]} == {value}
        shown = page.eval_on_selector_all("#findings tbody tr:not([hidden])",
                                          "rows => rows.map(r => r.cells[8].innerText.replace(/\\s*\\n\\s*/g, ' / ').trim())")
        assert [r[8] for r in rows[1:]] == shown
        page.go_back()
        page.wait_for_load_state("load")
        assert urlsplit(page.url).query == ""
        assert page.eval_on_selector(f'{FORM} select[name="check"]', "s => s.value") == ""
        assert page.locator("#findings tbody tr:not([hidden])").count() == total
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.goto(f"{(out / 'issues.html').as_uri()}")
        page.screenshot(path=str(ARTIFACTS / "issues.png"))
        assert events["errors"] == []
        assert [u for u in events["requests"] if not u.startswith(("file:", "blob:"))] == []
    finally:
        page.close()
