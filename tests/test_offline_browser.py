"""Offline reading in Chromium (issue 17): the service worker keeps the essentials on a first visit,
then pages, the checker and search work with the network off, at 360 px; a new build reaches the
phone when it is online again; the worker does not delay the first page on a slow connection.

Service workers need http:// (not file://): the site is served from 127.0.0.1 by a server in this
process that logs when each request arrives."""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import browser_errors
import pytest
from conftest import copy_sources

from lintas.config import BuildConfig
from lintas.pipeline import build

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
# Chromium's bound on the wait for an old worker's events before a new one takes over (five minutes,
# kMaxLameDuckTime in service_worker_registration.cc), and a margin.
TAKEOVER_LIMIT_S = 5 * 60 + 30


class LoggingServer:
    """The site folder over HTTP; `log` holds (time.time(), path) of every request. While `offline`
    is set, a request is logged and answered with nothing (the browser sees a network error)."""

    def __init__(self, folder: Path) -> None:
        self.log: list[tuple[float, str]] = []
        self.offline = False
        log = self.log
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def send_head(self) -> Any:
                log.append((time.time(), self.path))
                if server.offline:
                    self.close_connection = True
                    return None
                return super().send_head()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(folder)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def project(built_site: Path) -> Path:
    """The project whose site/ is the run's shared build of the sample (read-only: the tests only
    serve it and read it)."""
    return built_site.parent


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[LoggingServer]:
    srv = LoggingServer(project / "site")
    try:
        yield srv
    finally:
        srv.close()


def set_offline(context: Any, server: LoggingServer, offline: bool) -> None:
    """The phone loses (or regains) its connection. Playwright's switch does not cover the browser's
    own update check of sw.js, so the server goes offline too: otherwise a rebuilt sw.js could reach
    an "offline" phone and its new worker fetch the essentials while a test watches the log."""
    server.offline = offline
    context.set_offline(offline)


def worker_config(site: Path) -> dict[str, Any]:
    text = (site / "sw.js").read_text(encoding="utf-8")
    match = re.search(r"^var LINTAS = (.*);$", text, re.M)
    assert match
    return dict(json.loads(match.group(1)))


def wait_until(page: Any, script: str, arg: Any = None, timeout: float = 60) -> None:
    """Poll an async script (page.evaluate awaits its promise) until it returns true."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"timed out waiting for {script}: " + str(page.evaluate(
            "navigator.serviceWorker.getRegistration().then(r => caches.keys().then(k => [k, r && r.active && "
            "r.active.scriptURL, r && !!r.installing, r && !!r.waiting, navigator.onLine]))"))
        page.wait_for_timeout(50)


def keep_on_first_visit(page: Any, url: str) -> None:
    """Open `url` (a first visit) and wait until its control says the copy is saved."""
    page.goto(url)
    page.wait_for_function("() => { const o = document.querySelector('.lintas-keep output');"
                           " return o && /Tersimpan|Kept on/.test(o.textContent); }", timeout=30_000)


def assert_kept_page(page: Any, url: str, words: str, server: LoggingServer) -> None:
    before = len(server.log)
    response = page.goto(url)
    assert response is not None and response.ok, url
    # (The browser's own update check of sw.js is not subject to Playwright's offline switch.)
    asked = [path for _, path in server.log[before:] if path != "/sw.js"]
    assert asked == [], f"{url}: the server was asked while offline"
    saved = page.locator(".lintas-saved")
    assert saved.count() == 1, f"{url}: no saved line {response.headers} {response.from_service_worker} {page.url}"
    assert re.search(words, saved.inner_text()), saved.inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{url}: {width} px wide at 360 px"


def test_first_visit_keeps_the_essentials_that_then_work_offline(browser: Any, server: LoggingServer,
                                                                 project: Path) -> None:
    site = project / "site"
    config = worker_config(site)
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        errors = browser_errors.watch(page)
        keep_on_first_visit(page, server.url + "/")
        assert errors == []
        status = page.locator(".lintas-keep output").inner_text()
        assert re.search(r"Tersimpan di perangkat ini pada \d{1,2} \w+ \d{4}\.", status), status
        names = page.evaluate("caches.keys()")
        assert f"lintas-{config['version']}-id" in names, names

        set_offline(context, server, True)
        kept_pages = [p for p in config["essentials"]["id"] if p == "" or p.endswith("/")]
        for path in ("procedures/cross-into-timor-leste/", "procedures/passport-application/"):
            assert path in kept_pages
        posts = [p for p in kept_pages if p.startswith("posts/")]
        assert len(posts) == len(list((project / "content" / "posts").glob("*.yaml")))
        notices = [p for p in kept_pages if p.startswith("notices/")]
        assert notices, "the active notices are kept"
        for path in ["", "procedures/cross-into-timor-leste/", *posts, *notices]:
            assert_kept_page(page, f"{server.url}/{path}", r"^Disimpan pada \d{1,2} \w+ \d{4}\.", server)

        # The checker, walked offline from its start to an outcome by its plain links.
        page.goto(f"{server.url}/checker/crossing-into-timor-leste/")
        for _ in range(10):
            if page.locator(".lintas-result").count():
                break
            page.locator(".lintas-options a").first.click()
            page.wait_for_load_state()
            assert page.locator(".lintas-saved").count() == 1, page.url
        assert page.locator(".lintas-result").count() == 1, f"no outcome reached: {page.url}"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # Search: kept pages containing the words, and the plain message that search needs a connection.
        page.goto(f"{server.url}/search/?q=paspor")
        box = page.locator(".lintas-offline-search")
        assert "memerlukan koneksi internet" in box.inner_text()
        hrefs = box.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert f"{server.url}/procedures/passport-application/" in hrefs, hrefs

        # A page never visited nor kept: a plain page that says so, not the browser's error.
        response = page.goto(f"{server.url}/organisations/bnpp/")
        assert response is not None and response.status == 503
        assert "tidak tersimpan" in page.inner_text("h1")
    finally:
        server.offline = False
        context.close()


def test_english_reader_keeps_english_pages(browser: Any, server: LoggingServer, project: Path) -> None:
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        keep_on_first_visit(page, f"{server.url}/en/checker/crossing-into-timor-leste/")
        names = page.evaluate("caches.keys()")
        version = worker_config(project / "site")["version"]
        assert f"lintas-{version}-en" in names and f"lintas-{version}-id" not in names, names
        set_offline(context, server, True)
        assert_kept_page(page, f"{server.url}/en/posts/plbn-wini/", r"^Saved on \d{1,2} \w+ \d{4}\.", server)
        page.goto(f"{server.url}/en/search/?q=passport")
        assert "Search needs an internet connection" in page.inner_text(".lintas-offline-search")
    finally:
        server.offline = False
        context.close()


def test_a_rebuild_reaches_the_phone_once_it_is_online_again(browser: Any, built_site: Path, tmp_path: Path) -> None:
    # A project whose site/ is what building it writes: a copy of the shared build of the same sources.
    root = copy_sources(tmp_path)
    shutil.copytree(built_site, root / "site")
    config = BuildConfig.for_root(root)
    site = root / "site"
    srv = LoggingServer(site)
    context = browser.new_context(viewport=PHONE)
    marker = "(UJI-PEMBARUAN)"  # a test-only change to a text the post page shows
    try:
        page = context.new_page()
        keep_on_first_visit(page, srv.url + "/")
        old = worker_config(site)["version"]
        set_offline(context, srv, True)
        assert_kept_page(page, f"{srv.url}/posts/plbn-wini/", r"^Disimpan pada", srv)
        assert marker not in page.content()

        post = root / "content" / "posts" / "plbn-wini.yaml"
        text = post.read_text(encoding="utf-8")
        post.write_text(text.replace("menuju enklave Oecusse.", f"menuju enklave Oecusse. {marker}"), encoding="utf-8")
        assert build(config).written  # as the first: with the offline bundle
        new = worker_config(site)["version"]
        assert new != old

        # Offline, the phone still has the old copy, saying when it was saved.
        assert_kept_page(page, f"{srv.url}/posts/plbn-wini/", r"^Disimpan pada", srv)
        assert marker not in page.content()

        # Back online, the open page looks for a newer build (its "online" handler): the new worker
        # keeps the essentials again, in the new build's cache.
        set_offline(context, srv, False)
        wait_until(page, "v => caches.keys().then(k => k.includes(`lintas-${v}-id`))", new)
        page.goto(f"{srv.url}/posts/plbn-wini/")
        assert marker in page.content() and page.locator(".lintas-saved").count() == 0  # from the network
        # The new worker takes over once the site's tab is closed (at the latest), and the old
        # build's caches go, for good: the old worker stores nothing once it has been replaced (the
        # copy of the page just read, still being stored as the new one took over, once brought
        # back the old build's cache). Asked of the worker itself, with no tab open. Chromium hands
        # over once the old worker has no event in flight, and waits at most five minutes for that
        # (kMaxLameDuckTime): in loaded trials about one run in six took longer than 90 s.
        page.close()
        closed = time.monotonic()
        deadline = closed + TAKEOVER_LIMIT_S
        names: list[str] = []
        while time.monotonic() < deadline:
            for worker in context.service_workers:
                try:
                    names = worker.evaluate("caches.keys()")
                except Exception:  # a worker that has just been replaced
                    continue
            if f"lintas-{new}-id" in names and not any(old in n for n in names):
                break
            time.sleep(0.1)
        assert f"lintas-{new}-id" in names and not any(old in n for n in names), names
        print(f"\nthe new worker took over {time.monotonic() - closed:.1f} s after the tab closed")
        page = context.new_page()
        set_offline(context, srv, True)
        assert_kept_page(page, f"{srv.url}/posts/plbn-wini/", r"^Disimpan pada", srv)
        assert marker in page.content()
        assert_kept_page(page, f"{srv.url}/procedures/passport-application/", r"^Disimpan pada", srv)
    finally:
        context.close()
        srv.close()


def test_the_worker_does_not_delay_the_first_page_on_a_slow_connection(browser: Any, server: LoggingServer,
                                                                        project: Path) -> None:
    """3G-like (400 ms latency, 400 kbit/s down): every request before the page's load event is the
    page's own; the worker registers and keeps its files only afterwards."""
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 400,
                                                      "downloadThroughput": 400_000 / 8,
                                                      "uploadThroughput": 400_000 / 8})
        start = len(server.log)
        page.goto(f"{server.url}/posts/plbn-motaain/", wait_until="load")
        load_at = page.evaluate("performance.timeOrigin + performance.getEntriesByType('navigation')[0].loadEventStart")
        own = set(page.evaluate("[location.pathname, ...performance.getEntriesByType('resource')"
                                ".map(e => new URL(e.name).pathname)]"))
        version = worker_config(project / "site")["version"]
        wait_until(page, "v => caches.keys().then(k => k.includes(`lintas-${v}-id`) && caches.open(`lintas-${v}-id`))"
                         ".then(c => c && c.match(location.origin + '/offline-state.json')).then(r => !!r)", version)
        log = server.log[start:]
        before = [path for at, path in log if at * 1000 < load_at]
        after = [path for at, path in log if at * 1000 >= load_at]
        assert before and set(before) <= own, f"requested before the page had loaded: {set(before) - own}"
        assert "/sw.js" in after and "/sw.js" not in before
        kept = worker_config(project / "site")["essentials"]["id"]
        assert {p.lstrip("/") for p in after} >= set(kept), after
        print(f"\nload event after {load_at / 1000 - server.log[start][0]:.2f} s; "
              f"{len(before)} requests before it, {len(after)} after (worker)")
    finally:
        context.close()
