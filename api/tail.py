"""The newest entries of the log, held once per process for every stream subscriber (SPEC §5, §12).

On PostgreSQL one connection LISTENs on the channel the event store NOTIFYs in
every append transaction (eventsourcing's recorder does so; the notification is
delivered at commit). Each notification makes one query for the entries after
the newest one held; subscribers are woken and read them from memory, so a
write costs one query per process however many subscribers listen. Nothing
queries the log on a timer: after a lost connection the listener reconnects,
LISTENs again and catches up once. SQLite has no notifications, so there one
task per process polls the head instead. While nobody follows the stream, only
the head is noted: a process taking writes would otherwise read and decode
every entry again for no one; a subscriber who then resumes further back than
the tail holds reads those entries from the database, as any late one does.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice

import anyio
import anyio.to_thread
import psycopg

from adapters.store import Store
from projections.log import LogEntry, LogReader

log = logging.getLogger(__name__)

CAPACITY = 2048  # entries kept in memory: a subscriber further behind reads the database itself
POLL_SECONDS = 0.5  # SQLite only
PAGE = 500
# A primary that vanishes without closing the socket is noticed by TCP keepalives, not by a query.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3}


class Tail:
    def __init__(self, store: Store, log_reader: LogReader):
        self.store, self.log_reader = store, log_reader
        self.head = 0  # the newest position this process has heard of
        self.recent: deque[LogEntry] = deque(maxlen=CAPACITY)
        self.followers = 0
        self._rung = anyio.Event()

    # --- for subscribers ---------------------------------------------------------------------

    @contextmanager
    def following(self) -> Iterator[None]:
        """While a subscriber follows, the tail holds the newest entries for it."""
        self.followers += 1
        try:
            yield
        finally:
            self.followers -= 1

    def bell(self) -> anyio.Event:
        """The event set at the next change; take it before looking, so no change falls in between."""
        return self._rung

    def after(self, position: int) -> list[LogEntry] | None:
        """The held entries after `position`, or None when they are older than the ones held."""
        if position >= self.head:
            return []
        if not self.recent or position < self.recent[0].position - 1:
            return None
        newer = list(islice(reversed(self.recent), self.head - position))  # from the right: O(new entries)
        return newer[::-1]

    # --- fed by the database ---------------------------------------------------------------------

    async def run(self) -> None:
        """Follow the log until cancelled."""
        if self.store.dialect.name == "postgresql":
            await self._listen()
        else:
            await self._poll()

    async def _listen(self) -> None:
        channel = self.store.recorder.channel_name
        wait = 0.1
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                        libpq_url(self.store.url), autocommit=True, connect_timeout=5, **KEEPALIVES) as connection:
                    await connection.execute(f'LISTEN "{channel}"')
                    await self._catch_up()  # what was appended while nobody listened
                    self._ring()  # and subscribers whose reads failed meanwhile try again
                    wait = 0.1
                    async for _ in connection.notifies():
                        await self._catch_up()
            except Exception as error:  # the process's stream must outlive any one failure: reconnect
                log.warning("stream listener lost the primary (%s); reconnecting", error)
                await anyio.sleep(wait)
                wait = min(wait * 2, 2.0)

    async def _poll(self) -> None:
        while True:
            try:
                await self._catch_up()
            except Exception as error:  # the process's stream must outlive any one failure
                log.warning("stream poll failed: %s", error)
            await anyio.sleep(POLL_SECONDS)

    async def _catch_up(self) -> None:
        newest = await anyio.to_thread.run_sync(self.store.size)
        if newest <= self.head:
            return
        # Too far behind to hold, or nobody to hold them for: subscribers read the database.
        if newest - self.head > CAPACITY or not self.followers:
            self.recent.clear()
            self.head = newest
        while self.head < newest:
            page = await anyio.to_thread.run_sync(self.log_reader.log, self.head, PAGE, False)
            if not page.items:
                break
            self.recent.extend(page.items)
            self.head = page.items[-1].position
        self._ring()

    def _ring(self) -> None:
        rung, self._rung = self._rung, anyio.Event()
        rung.set()


def libpq_url(url: str) -> str:
    """A store URL as libpq takes it: our `?schema=` option is not one of libpq's."""
    return url.split("?", 1)[0]
