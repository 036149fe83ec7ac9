"""The demo circle's mosaic in Debian's Chromium: the guide weaves and publishes, a member reads it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _sign_in(page, base: str, username: str) -> None:
    from dream_mosaic.cli.demo import PASSWORD

    page.goto(f"{base}/signin")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_demo_circle_mosaic_in_the_browser(platform, live_server, browser, screenshot_dir):
    from dream_mosaic.cli.demo import demo_circle, seed

    with platform.db.transaction() as session:
        seed(session)
        circle_id = demo_circle(session).id
    here = f"{live_server}/circles/{circle_id}/mosaic"
    guide = browser.new_page(viewport={"width": 1100, "height": 900})
    _sign_in(guide, live_server, "iris")
    guide.goto(here)
    guide.click("text=Weave a draft")
    guide.wait_for_selector("text=Draft review")
    assert guide.locator("article.fragment").count() == 3
    guide.click("text=Publish version 1")
    guide.wait_for_selector("text=Published as version 1")
    guide.close()

    member = browser.new_page(viewport={"width": 1100, "height": 900})
    _sign_in(member, live_server, "lyra")
    member.goto(here)
    assert member.locator("svg.motif-map").count() == 1 and member.locator("svg.emotion-river").count() == 1
    texts = member.locator(".fragment-text").all_inner_texts()
    assert any("a fish swam past the card catalogue" in t for t in texts)
    assert "Draft review" not in member.content()
    member.screenshot(path=str(screenshot_dir / "mosaic.png"), full_page=True)
    member.close()
