def test_create_and_read_back(client, make_user):
    lyra = make_user("lyra")
    r = client.post("/api/v1/dreams", json={"text": "I was flying over the sea."}, headers=lyra)
    assert r.status_code == 201, r.text
    dream_id = r.json()["id"]
    got = client.get(f"/api/v1/dreams/{dream_id}", headers=lyra)
    assert got.json()["text"] == "I was flying over the sea."
