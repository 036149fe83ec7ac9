"""Publish/subscribe between server processes, by URL: ``memory://`` in one process, ``redis://`` across
several. A thin seam over encode/broadcaster so the live features never name a backend."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlparse

from broadcaster import Broadcast


def _redis_backend(url: str) -> Any:
    """broadcaster's Redis backend, with its first subscription made safe.

    Upstream wakes its listener *before* ``SUBSCRIBE`` completes; redis-py's ``listen()`` then sees no
    channel, returns at once, and the listener sleeps until another channel is subscribed, so the first
    channel of a process never receives anything. Here the listener wakes only once the channel is there.
    """
    from broadcaster._backends.redis import RedisBackend

    class SafeRedisBackend(RedisBackend):
        async def subscribe(self, channel: str) -> None:
            await self._pubsub.subscribe(channel)
            self._ready.set()

    return SafeRedisBackend(url)


class PubSub:
    def __init__(self, url: str) -> None:
        self.url = url
        redis = urlparse(url).scheme in ("redis", "rediss")
        self._broadcast = Broadcast(backend=_redis_backend(url)) if redis else Broadcast(url)
        self.connected = False

    async def connect(self) -> None:
        if not self.connected:
            await self._broadcast.connect()
            self.connected = True

    async def disconnect(self) -> None:
        if self.connected:
            await self._broadcast.disconnect()
            self.connected = False

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        await self._broadcast.publish(channel=channel, message=json.dumps(message, default=str))

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        async with self._broadcast.subscribe(channel=channel) as subscriber:

            async def messages() -> AsyncIterator[dict[str, Any]]:
                async for event in subscriber:  # type: ignore[union-attr]
                    if event is not None:
                        yield json.loads(event.message)

            yield messages()
