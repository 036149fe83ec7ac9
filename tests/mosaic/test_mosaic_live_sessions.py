"""Associations and "this resonates" taps from the circle's live sessions join the dreams they answered."""

from __future__ import annotations

import json

from sqlalchemy import select


def test_associations_and_taps_from_live_sessions(client, platform, circle):
    from dream_mosaic.circles.models import CircleSession, Contribution, ResonanceTap
    from dream_mosaic.core.models import User

    storm = circle.dream_ids["Storm at sea"]
    with platform.db.transaction() as session:
        users = {u.username: u for u in session.scalars(select(User))}
        live = CircleSession(circle_id=circle.id, title="Night one", created_by=users["iris"].id)
        session.add(live)
        session.flush()
        offered = Contribution(session_id=live.id, author_id=users["ronan"].id, client_id="c1", kind="dream",
                               dream_id=storm, text=circle.texts["Storm at sea"], attribution="anonymous",
                               status="visible", phase="sharing")
        session.add(offered)
        session.flush()
        session.add_all([
            Contribution(session_id=live.id, author_id=users["lyra"].id, client_id="a1", kind="association",
                         parent_id=offered.id, text="If it were my dream, the singing would be my mother's voice.",
                         attribution="named", status="visible", phase="associations"),
            Contribution(session_id=live.id, author_id=users["evelyn"].id, client_id="a2", kind="association",
                         parent_id=offered.id, text="Held back by the guide: not for the mosaic.",
                         attribution="named", status="held", phase="associations"),
            ResonanceTap(contribution_id=offered.id, user_id=users["lyra"].id, session_id=live.id),
            ResonanceTap(contribution_id=offered.id, user_id=users["evelyn"].id, session_id=live.id),
        ])
        lyra_alias = users["lyra"].alias
    r = client.post("/api/v1/mosaics", json={"circle_id": circle.id}, headers=circle.headers["iris"])
    assert r.status_code == 201, r.text
    doc = r.json()["document"]
    fragment = next(f for f in doc["fragments"] if f["dream_id"] == storm)
    assert [a["text"] for a in fragment["associations"]] == [
        "If it were my dream, the singing would be my mother's voice."]
    # the circle is 'alias': lyra chose 'named' for her association, the circle's mode is stricter
    assert fragment["associations"][0]["attribution"] == {"attribution": "alias", "name": lyra_alias}
    assert fragment["taps"] == 2
    assert doc["resonance"][0]["dream_id"] == storm and doc["resonance"][0]["associations"] == 1
    assert "Held back by the guide" not in json.dumps(doc) and "Lyra Post" not in json.dumps(doc)
    html = client.get(f"/api/v1/mosaics/{r.json()['id']}/export?format=html&version=draft",
                      headers=circle.headers["iris"]).text
    assert "the singing would be my mother" in html and "if it were their dream" in html
