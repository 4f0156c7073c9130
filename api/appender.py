"""Appends over HTTP, written in groups by one thread.

Requests that arrive while a group is being written wait in a queue; the
thread then takes all of them as the next group (`Timeline.execute_many`: one
transaction for the lot, each request decided and answered as if alone). So
under load an append costs a share of one BEGIN, head read, index update and
COMMIT, and one thread hop each way per group, where a worker thread per
request would pay both in full and contend for the interpreter.
"""

from __future__ import annotations

import asyncio
import queue
import threading

from domain.application import Timeline, Write
from domain.ports import Receipt

MOST = 256  # appends in one transaction: a bound on how long the last of them waits for its answer
SETTLE = 0.001  # seconds to wait for the next request of a group, which the event loop is still reading


class Appender:
    def __init__(self, timeline: Timeline):
        self.timeline = timeline
        self.loop = asyncio.get_running_loop()
        self.queue: queue.SimpleQueue[tuple[Write, asyncio.Future] | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="appender", daemon=True)
        self.thread.start()

    async def execute(self, write: Write) -> list[Receipt]:
        answer = self.loop.create_future()
        self.queue.put((write, answer))
        return await answer

    def close(self) -> None:
        """Write what is queued, then stop."""
        self.queue.put(None)
        self.thread.join()

    def _run(self) -> None:
        stopping, expected = False, 1
        while not stopping:
            group = [self.queue.get()]
            while len(group) < MOST and group[-1] is not None:
                try:
                    group.append(self.queue.get(timeout=SETTLE) if len(group) < expected else self.queue.get_nowait())
                except queue.Empty:
                    break
            expected = len(group)
            if None in group:
                stopping, group = True, [item for item in group if item is not None]
            if group:
                self._write(group)

    def _write(self, group: list[tuple[Write, asyncio.Future]]) -> None:
        try:
            outcomes = self.timeline.execute_many([write for write, _ in group])
        except Exception as error:  # the store out of reach: every write of the group fails with it
            outcomes = [error] * len(group)
        self.loop.call_soon_threadsafe(_answer, [answer for _, answer in group], outcomes)


def _answer(answers: list[asyncio.Future], outcomes: list) -> None:
    for answer, outcome in zip(answers, outcomes, strict=True):
        if answer.done():  # the request was cancelled: its write stands, nobody waits for the answer
            continue
        if isinstance(outcome, Exception):
            answer.set_exception(outcome)
        else:
            answer.set_result(outcome)
