import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_write_a_dream_in_the_browser(live_server, browser, make_user, screenshot_dir):
    make_user("lyra", display_name="Lyra Post")
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{live_server}/signin")
    page.fill("#username", "lyra")
    page.fill("#password", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/journal")
    page.click("text=Write down a dream")
    page.fill("#title", "The flooded library")
    page.fill("#text", "Water rose between the shelves <script>alert(1)</script> and I carried the books up.")
    page.check("input[name=visibility][value=community]")
    page.click("text=Save dream")
    page.wait_for_url("**/journal/*")
    assert "<script>alert(1)</script>" in page.inner_text("#dream-text")  # shown as text, never run
    page.goto(f"{live_server}/journal")
    assert "The flooded library" in page.content()
    page.screenshot(path=str(screenshot_dir / "journal.png"), full_page=True)
    page.close()
