"""After a crash, dreams left ``pending`` are analysed when the platform starts again."""

from sqlalchemy import select, update

from dream_mosaic.analysis.tasks import requeue_pending
from dream_mosaic.core.models import Dream


def test_pending_dreams_are_queued_again_and_analysed(client, make_user, platform):
    lyra = make_user("lyra")
    created = client.post("/api/v1/dreams", json={"text": "I was afraid of the dark sea."}, headers=lyra)
    dream_id = created.json()["id"]
    # Simulate a process killed between the commit and the analysis: the dream is stored, still pending.
    with platform.db.transaction() as session:
        session.execute(update(Dream).where(Dream.id == dream_id).values(analysis_status="pending"))
    assert requeue_pending(platform) == 1
    with platform.db.transaction(write=False) as session:
        assert session.scalar(select(Dream.analysis_status).where(Dream.id == dream_id)) == "done"
    assert requeue_pending(platform) == 0
