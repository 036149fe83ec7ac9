"""The dream page in a real browser: emotion words are highlighted, markup in the dream stays text."""

import pytest

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, username):
    page.goto(f"{live_server}/signin")
    page.fill("#username", username)
    page.fill("#password", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/journal")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_dreamer_sees_the_words_that_carried_each_emotion(live_server, browser, make_user, screenshot_dir):
    make_user("lyra", display_name="Lyra Post")
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    _sign_in(page, live_server, "lyra")
    page.goto(f"{live_server}/journal/new")
    page.fill("#title", "The night train")
    page.fill("#text", "I was on a night train <b>alone</b>. I was very scared and afraid of the conductor. "
                       "Then my sister arrived and hugged me. I was so happy to see her.")
    page.click("text=Save dream")
    page.wait_for_url("**/journal/*")
    marks = page.locator("#dream-text-analysed mark")
    assert sorted(marks.all_inner_texts()) == ["afraid", "happy", "scared"]
    assert page.locator("#dream-text-analysed mark.emo-ha").inner_text() == "happy"
    assert "<b>alone</b>" in page.inner_text("#dream-text-analysed")  # shown as text, never as markup
    assert page.locator("#dream-text-analysed b").count() == 0
    assert page.is_hidden("#dream-text") and page.is_visible("#dream-text-analysed")
    assert page.locator("#analysis ul.interactions li").all_inner_texts() == [
        "sister → you: hugged (friendliness)", "you → sister: happy (friendliness)"
    ]
    page.locator("#analysis").screenshot(path=str(screenshot_dir / "analysis.png"))
    page.close()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_dreamer_says_who_frank_is_from_the_dream_page(live_server, browser, make_user):
    make_user("emma", display_name="Emma")
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    _sign_in(page, live_server, "emma")
    page.goto(f"{live_server}/journal/new")
    page.fill("#text", "Frank and I drove to the lake. Frank was angry at me for being late.")
    page.click("text=Save dream")
    page.wait_for_url("**/journal/*")
    dream_url = page.url
    assert page.get_attribute("#analysis .badge >> text=Frank", "title") == "1MKA"
    page.click("text=Say who the people of your dreams are")
    page.wait_for_url("**/me/cast")
    page.fill("#people", "Frank: husband")
    page.click("text=Save")
    page.wait_for_url("**/me/cast?flash=*")
    assert "1 of your dreams are being analysed again" in page.inner_text("main")
    for _ in range(50):  # the re-analysis is a background job: wait for it, at most 10 s
        page.goto(dream_url)
        if page.get_attribute("#analysis .badge >> text=Frank", "title") == "1MHA":
            break
        page.wait_for_timeout(200)
    assert page.get_attribute("#analysis .badge >> text=Frank", "title") == "1MHA"
    page.close()
