"""Fixtures shared by every test module: one Chromium for the whole session.

Playwright's sync API allows one running instance per process, so every browser test, in any
module, shares this one.
"""

from __future__ import annotations

import pytest

from asps.browse import CHROMIUM, LAUNCH_ARGS, browser_unavailable


@pytest.fixture(scope="session")
def browser():
    reason = browser_unavailable()
    if reason:
        pytest.fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()
