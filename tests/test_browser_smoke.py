"""Smoke test in real headless Chromium: home -> procedure -> language switch -> search."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_home_procedure_language_and_search(page: Page, site_url: str, page_errors: list[str]) -> None:
    page.goto(f"{site_url}/")
    expect(page).to_have_title(re.compile("Lintas"))
    page.get_by_role("link", name=re.compile("Mengajukan paspor")).first.click()
    expect(page).to_have_url(f"{site_url}/procedures/passport-application/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mengajukan paspor biasa")

    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(f"{site_url}/en/procedures/passport-application/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for an ordinary passport")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Search from the header form: an Indonesian word, answered by Pagefind on the search page.
    page.goto(f"{site_url}/")
    box = page.get_by_role("searchbox", name="Cari di situs ini")
    box.fill("pembuatan paspor")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=pembuatan"))
    result = page.locator("#lintas-results a", has_text="Mengajukan paspor biasa").first
    expect(result).to_be_visible(timeout=15_000)
    result.click()
    expect(page).to_have_url(f"{site_url}/procedures/passport-application/")
    assert page_errors == []
