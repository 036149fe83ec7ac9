"""A small demo, written by the project: a guide, a guardian, an archivist, dreamers, a circle and
dreams with every kind of consent. Created once; running it again changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dream_mosaic.circles import service as circles
from dream_mosaic.circles import sessions
from dream_mosaic.circles.schemas import CircleCreate, SessionOpen
from dream_mosaic.core import auth
from dream_mosaic.core.models import Circle, User
from dream_mosaic.journal import service as journal
from dream_mosaic.journal.schemas import DreamCreate

PASSWORD = "dream-mosaic-demo"
PEOPLE = [
    ("iris", "Iris Vale", "guide"),
    ("tomas", "Tomás Reyes", "guardian"),
    ("ada", "Ada Okafor", "archivist"),
    ("lyra", "Lyra Post", "dreamer"),
    ("ronan", "Ronan Kestra", "dreamer"),
    ("evelyn", "Evelyn Huxley", "dreamer"),
    ("admin", "Site Admin", "admin"),
]
DREAMS = {
    "lyra": [
        ("The flooded library", "I was in a library where the water kept rising between the shelves. I was afraid "
         "the books would be ruined, so I carried them up a spiral staircase. A woman I did not know helped me "
         "and we laughed when a fish swam past the card catalogue.", "circle", "alias", ["water", "library"]),
        ("Flying over the market", "I realised I was dreaming and flew over the night market. Everything smelled of "
         "oranges. I felt free and happy, and my brother waved from a rooftop.", "community", "named",
         ["flying", "lucid"]),
        ("Teeth", "My teeth were loose and falling out one by one while I tried to give a talk. I was so "
         "embarrassed and nobody seemed to notice.", "private", "anonymous", ["teeth"]),
    ],
    "ronan": [
        ("The locked station", "I was late for a train and the station doors were locked. I was angry and "
         "banged on the glass. A stranger opened a side door and showed me a garden where the tracks should be.",
         "circle", "anonymous", ["train", "late"]),
        ("Storm at sea", "A storm hit our small boat. My friend and I held on to the mast; I was frightened but "
         "he kept singing, and slowly the waves calmed.", "research", "alias", ["water", "storm"]),
    ],
    "evelyn": [
        ("Grandmother's kitchen", "I was back in my grandmother's kitchen. She was baking bread and told me "
         "not to worry. I felt sad when I woke up because she died years ago.", "circle", "named",
         ["family", "home"]),
        ("Lost in a hotel", "I was lost in an enormous hotel with corridors that kept changing. I was confused "
         "and kept opening doors onto the sea.", "community", "anonymous", ["lost", "water"]),
    ],
}


def seed(session: Session) -> bool:
    """Create the demo once. Returns True if it was created now."""
    if session.scalar(select(User).where(User.username == "iris")) is not None:
        return False
    users = {name: auth.create_user(session, name, PASSWORD, role, display) for name, display, role in PEOPLE}
    circle = circles.create_circle(session, users["iris"], CircleCreate(
        name="New Moon Circle", purpose="A weekly Ullman-style dream group: we share, we wonder "
        "'if it were my dream…', and we weave what we found.", capacity=12, attribution_mode="alias"))
    for name in ("lyra", "ronan", "evelyn"):
        circles.join(session, users[name], circle.id)
    night = date.today() - timedelta(days=14)
    for name, dreams in DREAMS.items():
        for i, (title, text, visibility, attribution, tags) in enumerate(dreams):
            data = DreamCreate.model_validate({
                "title": title, "text": text, "visibility": visibility, "attribution": attribution, "tags": tags,
                "dreamt_on": night + timedelta(days=3 * i + len(name)),
                "circle_ids": [circle.id] if visibility == "circle" else [],
                "nightmare": "storm" in tags, "lucid": "lucid" in tags,
            })
            journal.create_dream(session, users[name], data)
    # A live session waiting in its gathering phase: iris steers it from /circles/<id>/console.
    sessions.open_session(session, users["iris"], circle.id, SessionOpen(title="New Moon Circle: tonight"))
    session.flush()
    return True


def demo_circle(session: Session) -> Circle | None:
    return session.scalar(select(Circle).where(Circle.name == "New Moon Circle"))
