"""A minimal asyncio HTTP/1.1 keep-alive client, so the load generator costs the 2 cores little."""

from __future__ import annotations

import asyncio
import itertools
import time


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def request(self, method: str, path: str, body: bytes = b"", token: str | None = None) -> tuple[int, bytes]:
        head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
        if token:
            head.append(f"Authorization: Bearer {token}")
        if body:
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status_line, *lines = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
        if headers.get("transfer-encoding") == "chunked":
            return int(status_line.split()[1]), await self._chunks()
        return int(status_line.split()[1]), await self.reader.readexactly(int(headers.get("content-length", 0)))

    async def _chunks(self) -> bytes:
        parts = []
        while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await self.reader.readexactly(size + 2))
        await self.reader.readuntil(b"\r\n")
        return b"".join(part[:-2] for part in parts)

    async def close(self) -> None:
        self.writer.close()


async def append_load(port: int, token: str, bodies: list[bytes], clients: int,
                      seconds: float | None = None) -> tuple[int, int, float]:
    """`clients` connections POSTing /v1/events: (created, failed, elapsed). For `seconds`, cycling
    through the bodies; without, each body once (a warm-up, as a long-running server is warm)."""
    counts = {"created": 0, "failed": 0}
    start = time.perf_counter()
    deadline = start + (seconds or float("inf"))

    async def client(number: int) -> None:
        connection = await Connection.open(port)
        for index in itertools.count(number, clients) if seconds else range(number, len(bodies), clients):
            if time.perf_counter() >= deadline:
                break
            status, _ = await connection.request("POST", "/v1/events", bodies[index % len(bodies)], token)
            counts["created" if status == 201 else "failed"] += 1
        await connection.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    return counts["created"], counts["failed"], time.perf_counter() - start


async def get_latencies(port: int, paths: list[str]) -> list[float]:
    """Sequential GETs on one connection: each latency in seconds (non-200 answers raise)."""
    connection = await Connection.open(port)
    latencies = []
    for path in paths:
        began = time.perf_counter()
        status, body = await connection.request("GET", path)
        latencies.append(time.perf_counter() - began)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
    await connection.close()
    return latencies
