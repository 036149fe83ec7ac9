"""The archive in Debian's Chromium: search, narrow by a facet, read the share, see the themes chart."""

import pytest

from .conftest import PASSWORD, SECRET, import_series

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_search_facet_and_themes_in_the_browser(platform, live_server, browser, corpus, screenshot_dir):
    import_series(platform, "eve")
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    page.goto(f"{live_server}/signin")
    page.fill("#username", "eve")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/archive")
    page.fill("#q", "teeth OR tooth")
    page.click("button:has-text('Search')")
    page.wait_for_selector(".summary")
    assert "dreams match" in page.inner_text(".summary")
    assert page.locator("mark").count() >= 3
    assert SECRET not in page.content()
    page.click(".facets a:has-text('Moon series (M)')")
    page.wait_for_selector(".summary")
    summary = page.inner_text(".summary")
    assert "series:moon-m" in summary and "25.00%" in summary
    page.screenshot(path=str(screenshot_dir / "archive-search.png"), full_page=True)
    page.goto(f"{live_server}/archive/themes")
    page.fill("#k", "3")
    page.click("button:has-text('Discover themes')")
    page.wait_for_selector("#theme-chart")
    legend = page.locator(".legend button").first
    legend.click()
    assert legend.get_attribute("aria-pressed") == "true"
    page.locator("#theme-chart circle").first.focus()  # keyboard users get the same read-out as hover
    assert page.inner_text("#theme-tip").startswith("#")
    page.screenshot(path=str(screenshot_dir / "archive-themes.png"), full_page=True)
    page.close()
