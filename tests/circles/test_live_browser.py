"""A guide and two participants, each in their own browser, through a whole session. Screenshots go to
docs/img/ for docs/circles.md."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.browser
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
PASSWORD = "correct horse battery"


def _sign_in(browser, base, username, next_url, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/signin?next={next_url}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_url}")
    return context, page


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_whole_session_in_three_browsers(live_server, browser, make_user):
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    iris_h = make_user("iris", role="guide", display_name="Iris Vale")
    lyra_h = make_user("lyra", display_name="Lyra Post")
    make_user("ronan", display_name="Ronan Kestra")
    with httpx.Client(base_url=live_server) as api:
        circle = api.post("/api/v1/circles", headers=iris_h, json={
            "name": "New Moon Circle", "purpose": "An Ullman-style dream group.", "attribution_mode": "alias"}).json()
        api.post("/api/v1/dreams", headers=lyra_h, json={
            "title": "The flooded library", "visibility": "private", "attribution": "alias",
            "text": "Water rose between the shelves and I was afraid the books would be ruined, so I "
                    "carried them up a spiral staircase. A fish swam past the card catalogue and we laughed, "
                    "happy."}).raise_for_status()
    cid = circle["id"]
    contexts = []
    try:
        # The guide opens the session from the circle's page and lands on the console.
        ctx, iris = _sign_in(browser, live_server, "iris", f"/circles/{cid}")
        contexts.append(ctx)
        iris.check("input[name=moderation][value=permissive]")
        iris.click("text=Open the session")
        iris.wait_for_url(f"**/circles/{cid}/console")
        iris.wait_for_selector("[data-bind=conn]:has-text('Live')")

        ctx, lyra = _sign_in(browser, live_server, "lyra", f"/circles/{cid}/live")
        contexts.append(ctx)
        ctx, ronan = _sign_in(browser, live_server, "ronan", f"/circles/{cid}/live",
                              viewport={"width": 390, "height": 844})
        contexts.append(ctx)
        for page in (lyra, ronan):
            page.wait_for_selector("[data-bind=label]:has-text('Gathering')")
            page.wait_for_selector("[data-bind=conn]:has-text('Live')")

        # Sharing: Lyra offers a dream from her journal; Ronan sees it under her alias.
        iris.click("ol.phases >> text=Sharing dreams")
        lyra.wait_for_selector("[data-bind=label]:has-text('Sharing dreams')")
        lyra.select_option("#dream-pick", label="The flooded library")
        lyra.click("text=Share with the circle")
        ronan.wait_for_selector(".feed .item:has-text('The flooded library')")
        assert "Lyra Post" not in ronan.inner_text(".feed")
        iris.wait_for_selector(".feed .item:has-text('The flooded library')")

        # Ronan writes one on the spot that carries distress: only the guide is alerted.
        ronan.fill("#words", "I was alone on a grey platform and no train came. Sometimes I think everyone "
                             "would be better off without me.")
        ronan.click("text=Share with the circle")
        iris.wait_for_selector(".alert:has-text('better off without me')", timeout=4000)
        ronan.wait_for_selector(".item.mine:has-text('with the guide first')")
        iris.screenshot(path=str(DOCS_IMG / "circle-console-alert.png"), full_page=True)
        assert "better off without me" not in lyra.inner_text("#live")
        iris.once("dialog", lambda d: d.accept("Thank you for sharing that. Can we talk after the circle?"))
        iris.click(".alert >> text=Check in privately")
        ronan.wait_for_selector(".checkin:has-text('Can we talk after the circle?')")

        # Resonance and aggregates (three people present: k = 3).
        ronan.click(".feed .item:has-text('The flooded library') >> text=This resonates")
        lyra.wait_for_selector(".resonance li.mine:has-text('1 tap')")
        lyra.wait_for_selector(".motifs li")

        # Associating: "if this were my dream…", with a draft that survives a reload.
        iris.click("ol.phases >> text=Associating")
        ronan.wait_for_selector("[data-bind=label]:has-text('Associating')")
        ronan.click(".feed .item:has-text('The flooded library') >> text=If this were my dream")
        ronan.fill("#words", "If this were my dream, the fish would be the part of me that")
        ronan.reload()
        ronan.wait_for_selector("[data-bind=conn]:has-text('Live')")
        assert "Can we talk after the circle?" in ronan.inner_text(".checkin")  # kept across the reload
        assert ronan.input_value("#words").startswith("If this were my dream, the fish")
        ronan.fill("#words", "If this were my dream, the fish would be the part of me that still laughs.")
        ronan.click("text=Share with the circle")
        lyra.wait_for_selector(".item.kind-association:has-text('still laughs')")
        lyra.screenshot(path=str(DOCS_IMG / "circle-participant.png"), full_page=True)
        ronan.screenshot(path=str(DOCS_IMG / "circle-phone.png"), full_page=True)

        # The guide pauses everyone at once, then resumes.
        iris.click("text=Pause the circle")
        lyra.wait_for_selector("text=The guide has paused the circle")
        assert lyra.is_disabled("[data-bind=send]")
        iris.click("text=Resume the circle")
        lyra.wait_for_selector("text=The guide has paused the circle", state="hidden")
        iris.screenshot(path=str(DOCS_IMG / "circle-console.png"), full_page=True)

        projector = contexts[0].new_page()
        projector.set_viewport_size({"width": 1600, "height": 900})
        projector.goto(f"{live_server}/circles/{cid}/live?view=projector")
        projector.wait_for_selector(".motifs li")
        assert not projector.is_visible(".alerts") and "better off without me" not in projector.inner_text("body")
        projector.screenshot(path=str(DOCS_IMG / "circle-projector.png"))

        iris.once("dialog", lambda d: d.accept())
        iris.click("ol.phases >> text=Closed")
        lyra.wait_for_selector("[data-bind=label]:has-text('Closed')")
    finally:
        for ctx in contexts:
            ctx.close()
