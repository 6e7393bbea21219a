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

    page.goto(f"{site_url}/")
    search = page.get_by_role("searchbox").or_(page.get_by_placeholder("Cari")).first
    search.click()
    search.press_sequentially("paspor", delay=30)  # the search listens to key events
    result = page.locator(".md-search-result__link", has_text=re.compile("Mengajukan paspor biasa")).first
    expect(result).to_be_visible(timeout=15_000)
    result.click()
    expect(page).to_have_url(re.compile(r"/procedures/passport-application/"))
    assert page_errors == []
