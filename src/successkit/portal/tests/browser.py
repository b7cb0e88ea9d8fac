"""What every browser test shares: one Chromium per module (Debian's, no download), pages
at desktop (1280 px) and phone (375 px) width, and `look(page, name)`, which runs the
axe-core accessibility check (vendored, served from here), asserts that nothing scrolls
sideways and saves a full-page screenshot under docs/screenshots/."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# Screenshots are kept only where SUCCESSKIT_SCREENSHOTS says (docs/screenshots to refresh
# the documented ones); otherwise a temporary folder, so a test run leaves the tree clean.
SCREENSHOTS = Path(
    os.environ.get("SUCCESSKIT_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / f"successkit-screenshots-{os.getuid()}"
)
WIDTHS = {"desktop": 1280, "phone": 375}

browser_marks = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes between page actions are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(params=sorted(WIDTHS))
def page(request: pytest.FixtureRequest, chromium: Any, live_server: Any, settings: Any) -> Any:
    """A fresh browser context at desktop or phone width; `page.width_name` says which."""
    settings.ALLOWED_HOSTS = ["*"]
    context = chromium.new_context(
        viewport={"width": WIDTHS[request.param], "height": 900}, base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    # axe-core is served from the test tree as if it were the site's own script, so the
    # pages' Content Security Policy (script-src 'self') stays on during the check.
    context.route(
        "**/__axe__/axe.min.js",
        lambda route: route.fulfill(path=str(AXE), content_type="application/javascript"),
    )
    opened = context.new_page()
    opened.width_name = request.param
    yield opened
    context.close()


def sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Email", exact=False).first.fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main").get_by_role("button").first.click()
    page.wait_for_load_state()


def look(page: Any, name: str) -> None:
    """Accessibility (no serious or critical axe violation), no sideways scroll, and a
    screenshot named ``<name>-<width>.png``."""
    page.add_script_tag(url="/__axe__/axe.min.js")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: accessibility violations: {bad}"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {page.width_name} width"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.width_name}.png"), full_page=True)
