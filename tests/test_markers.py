"""The fast lane (`pytest -m "not slow and not browser"`) leaves out every test that drives Chromium
or needs a full build of the sample site (tests/conftest.py marks them from their fixtures)."""

from __future__ import annotations

import pytest
from conftest import BROWSER_FIXTURES, SLOW_FIXTURES


def test_browser_and_built_site_tests_are_out_of_the_fast_lane(request: pytest.FixtureRequest) -> None:
    # The items of this run (with -m, the deselected ones are gone: then nothing here needs Chromium).
    for item in request.session.items:
        needs = set(getattr(item, "fixturenames", ()))
        if needs & BROWSER_FIXTURES:
            assert item.get_closest_marker("browser") is not None, item.nodeid
        if needs & SLOW_FIXTURES:
            assert item.get_closest_marker("slow") or item.get_closest_marker("browser"), item.nodeid
