"""Narration against a fake OpenAI-compatible server on loopback, the CLI, and the mosaic page."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner


class FakeChat(BaseHTTPRequestHandler):
    requests: list[dict] = []
    answer = ("Water returns across the circle [F1][F2]. Nobody knows why. "
              "One dream ends by a calm lake [F3]. Invented \"I loved my mother\" [F1]. Wrong [F9].")

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        FakeChat.requests.append({"path": self.path, "body": body, "auth": self.headers.get("authorization")})
        out = json.dumps({"choices": [{"message": {"role": "assistant", "content": FakeChat.answer}}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def fake_narrator(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeChat)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeChat.requests = []
    monkeypatch.setenv("MOSAIC_NARRATOR_URL", f"http://127.0.0.1:{server.server_port}/v1")
    monkeypatch.setenv("MOSAIC_NARRATOR_API_KEY", "test-key")
    yield FakeChat
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_narration_is_cited_marked_and_checked(client, circle, fake_narrator):
    r = client.post("/api/v1/mosaics", json={"circle_id": circle.id, "narrate": True}, headers=circle.headers["iris"])
    assert r.status_code == 201, r.text
    doc = r.json()["document"]
    [request] = fake_narrator.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer test-key"
    prompt = request["body"]["messages"][1]["content"]
    assert circle.texts["Storm at sea"] in prompt
    assert "Lyra Post" not in prompt and "Ronan Kestra" not in prompt  # only the labels the circle allows
    ids = [f["dream_id"] for f in doc["fragments"]]
    narration = doc["narration"]
    assert [(n["parts"][0]["text"], n["cites"]) for n in narration] == [
        ("Water returns across the circle.", ids[:2]),
        ("One dream ends by a calm lake.", [ids[2]]),
    ]
    assert all(n["generated"] for n in narration)
    html = client.get(f"/api/v1/mosaics/{r.json()['id']}/export?format=html&version=draft",
                      headers=circle.headers["iris"]).text
    assert "Generated text" in html and "[F1]" in html
    md = client.get(f"/api/v1/mosaics/{r.json()['id']}/export?format=md&version=draft",
                    headers=circle.headers["iris"]).text
    assert "*Generated:* Water returns across the circle. [F1] [F2]" in md


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_narration_is_off_by_default_and_a_dead_narrator_does_not_stop_weaving(client, circle, monkeypatch):
    monkeypatch.delenv("MOSAIC_NARRATOR_URL", raising=False)
    r = client.post("/api/v1/mosaics", json={"circle_id": circle.id}, headers=circle.headers["iris"])
    assert r.json()["document"]["narration"] == []
    monkeypatch.setenv("MOSAIC_NARRATOR_URL", "http://127.0.0.1:9/v1")  # nothing listens on the discard port
    r = client.post("/api/v1/mosaics", json={"circle_id": circle.id, "narrate": True}, headers=circle.headers["iris"])
    assert r.status_code == 201
    doc = r.json()["document"]
    assert doc["narration"] == [] and any("narrator did not answer" in n for n in doc["notes"])


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_cli_weave_every_format(client, circle, settings, tmp_path, monkeypatch):
    from dream_mosaic.cli.main import app

    monkeypatch.setenv("MOSAIC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MOSAIC_QUEUE_URL", "memory://")
    monkeypatch.setenv("MOSAIC_SECRET_KEY", "test-secret")
    runner = CliRunner()
    for fmt in ("html", "md", "json", "pdf"):
        out = tmp_path / f"m.{fmt}"
        result = runner.invoke(app, ["weave", "--circle", circle.id, "--format", fmt, "--out", str(out),
                                     "--data-dir", str(tmp_path / "data")])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 500
    doc = json.loads((tmp_path / "m.json").read_text())
    assert {f["text"] for f in doc["fragments"]} == {circle.texts[t] for t in
                                                    ("The flooded library", "Storm at sea", "Grandmother's kitchen")}
    assert (tmp_path / "m.pdf").read_bytes().startswith(b"%PDF")
    result = runner.invoke(app, ["weave", "--query", "water", "--as", "mallory", "--format", "json",
                                 "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    assert [f["title"] for f in json.loads(result.stdout)["fragments"]] == ["Grandmother's kitchen"]
    result = runner.invoke(app, ["weave", "--circle", circle.id, "--query", "x"])
    assert result.exit_code != 0
    result = runner.invoke(app, ["weave", "--circle", circle.id, "--as", "mallory", "--format", "json",
                                 "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 1 and "not a member" in result.output


def _page_client(client, platform, username):
    from dream_mosaic.core import auth
    from dream_mosaic.core.auth import SESSION_COOKIE
    from dream_mosaic.core.models import User
    from dream_mosaic.core.security import csrf_token

    with platform.db.transaction() as session:
        user = session.query(User).filter_by(username=username).one()
        token = auth.issue_token(session, user, "session")
    client.cookies.set(SESSION_COOKIE, token)
    return csrf_token(platform.secret, token)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_mosaic_page_review_and_published_view(client, platform, circle):
    here = f"/circles/{circle.id}/mosaic"
    csrf = _page_client(client, platform, "lyra")
    assert f'href="{here}"' in client.get(f"/circles/{circle.id}").text  # the circle's page leads here
    r = client.get(here)
    assert r.status_code == 200 and "No mosaic has been published" in r.text and "Draft review" not in r.text
    csrf = _page_client(client, platform, "iris")
    assert "Weave a draft" in client.get(here).text
    assert client.post(f"{here}/weave", data={"csrf": "wrong"}).status_code == 403
    r = client.post(f"{here}/weave", data={"csrf": csrf}, follow_redirects=True)
    assert r.status_code == 200 and "Draft review" in r.text and "Publish version 1" in r.text
    assert "slowly the waves calmed" in r.text and "<svg" in r.text
    mosaic_id = r.text.split("/mosaics/")[1].split("/")[0]
    storm = circle.dream_ids["Storm at sea"]
    library = circle.dream_ids["The flooded library"]
    kitchen = circle.dream_ids["Grandmother's kitchen"]
    r = client.post(f"/mosaics/{mosaic_id}/arrange", follow_redirects=True, data={
        "csrf": csrf, "title": "What the water said", f"pos-{kitchen}": "1", f"pos-{storm}": "2",
        f"pos-{library}": "3", f"out-{library}": "on"})
    assert "What the water said" in r.text and "left out" in r.text
    r = client.post(f"/mosaics/{mosaic_id}/publish", data={"csrf": csrf}, follow_redirects=True)
    assert r.status_code == 200 and "version 1" in r.text
    _page_client(client, platform, "ronan")
    r = client.get(here)
    assert "What the water said" in r.text and "Draft review" not in r.text
    body = r.text.split('class="mosaic-individual"')[1]
    assert body.index(f'id="f-{kitchen}"') < body.index(f'id="f-{storm}"') and f'id="f-{library}"' not in body
    _page_client(client, platform, "mallory")
    assert client.get(here).status_code == 404
