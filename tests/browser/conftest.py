"""Real-browser fixtures: Debian's headless Chromium (never `playwright install`) driven by Playwright's
sync API against pytest-django's live server, with axe-core checks and phone/desktop screenshots.

Screenshots land in the git-ignored `artifacts/screenshots/` so people can look at every page.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING_IMPACTS = {"serious", "critical"}
# Generous: a busy 2-core machine renders slowly; waits return as soon as the condition holds.
BROWSER_TIMEOUT_MS = 60_000
expect.set_options(timeout=BROWSER_TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - playwright is loaded on first use (heavy or optional)

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make system-deps)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (own cookies) at desktop size, failing the test on any page JS error."""
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-US",
                                  reduced_motion="reduce")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    _leave_and_settle(page, _requests_of(live_server))
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


class _RequestCounter:
    """Requests the live server's Django app is handling, and when it last finished one.

    Counted at the WSGI app, not per connection thread: Chromium keeps connections alive, so a
    thread outlives its requests and a per-thread count stayed above zero until the settle timed out."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.last_done = time.monotonic()

    def wrap(self, app):
        def counted(environ, start_response):
            with self.lock:
                self.in_flight += 1
            try:
                return app(environ, start_response)
            finally:
                with self.lock:
                    self.in_flight -= 1
                    self.last_done = time.monotonic()
        return counted


def _requests_of(live_server) -> _RequestCounter:
    """The live server's request counter, installed once around its WSGI app."""
    httpd = live_server.thread.httpd
    counter = getattr(httpd, "vividly_requests", None)
    if counter is None:
        counter = _RequestCounter()
        httpd.set_app(counter.wrap(httpd.get_app()))
        httpd.vividly_requests = counter
    return counter


QUIET_S = 0.3  # no request for this long after leaving the page: nothing more is on its way
SETTLE_S = 10.0


def _leave_and_settle(page, requests: _RequestCounter) -> None:
    """Leave the page and wait until the live server has answered what the page sent on its way out.

    The lesson page sends its progress beacon when it is hidden (static/js/lesson.js). Sent as the
    context closed, it reached the live server while pytest-django truncated the tables after the test,
    and the two deadlocked (the next test then found the last one's rows). Leaving for about:blank sends
    it now, while the test's data still exists; Playwright does not report a beacon, so the server's own
    count of requests in hand tells when it has been answered."""
    try:
        page.goto("about:blank")
    except PlaywrightError:
        return  # the page is already gone (the test closed it)
    left = time.monotonic()
    while time.monotonic() - left < SETTLE_S:
        with requests.lock:
            quiet = requests.in_flight == 0 and time.monotonic() - max(left, requests.last_done) >= QUIET_S
        if quiet:
            return
        time.sleep(0.05)


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the real login page, like a person would."""
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("email", re.I)).first.fill(email)
    page.get_by_label(re.compile("password", re.I)).first.fill(password)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"sign-in failed for {email}: still on {page.url}"


def check_a11y(page, name: str) -> list[dict]:
    """Run axe-core (bundled with axe-playwright-python) and fail on serious/critical violations."""
    from axe_playwright_python.sync_playwright import Axe  # noqa: PLC0415 - axe_playwright_python is loaded on first use (heavy or optional)

    results = Axe().run(page)
    violations = results.response.get("violations", [])
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"{v['impact']}: {v['id']} — {v['help']} ({[n['target'] for n in v['nodes'][:3]]})"
                 for v in blocking]
        pytest.fail(f"axe found serious/critical issues on {name}:\n" + "\n".join(lines))
    return violations


def screenshot(page, name: str) -> list[Path]:
    """Full-page screenshots at phone (360 px) and desktop (1280 px) widths; restores desktop size."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths = []
    for label, size in (("360", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.evaluate("window.scrollTo(0, 0)")  # sticky header stays at the top of the full-page shot
        page.wait_for_timeout(150)
        path = SCREENSHOTS / f"{name}-{label}.png"
        try:
            page.screenshot(path=str(path), full_page=True, animations="disabled", timeout=60_000)
        except PlaywrightTimeoutError:
            # A very tall page on a starved CPU: keep a viewport shot rather than fail the journey
            # over an artifact (the assertions and axe scan above are what the test checks).
            page.screenshot(path=str(path), animations="disabled", timeout=60_000)
        paths.append(path)
    return paths


def assert_fits_phone(page, name: str) -> None:
    """The page must not scroll sideways at 360 px."""
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(100)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} scrolls sideways at 360 px ({overflow}px too wide)"


def audit(page, name: str, *, fits_phone: bool = False) -> None:
    """axe at both widths (the phone layout has its own navigation) plus screenshots.

    `fits_phone=True` also fails when the page scrolls sideways at 360 px (all student pages use it).
    """
    if fits_phone:
        assert_fits_phone(page, name)
    page.set_viewport_size(PHONE)
    check_a11y(page, f"{name} (360 px)")
    page.set_viewport_size(DESKTOP)
    check_a11y(page, f"{name} (1280 px)")
    screenshot(page, name)
