"""Reading an uploaded file: after the caller is checked, streamed, never past a limit.

An anonymous 512 MB upload was read whole into memory (104 -> 1,129 MB) before it was refused,
because the body was read before the caller was known. Routes that take a file therefore read
the raw request (no `File`/`Form` parameter, which FastAPI parses before any dependency runs),
check the token and the draw first, and only then call `read_limited`, which refuses a declared
length over the limit without reading a byte and stops reading as soon as the limit is passed.
"""

from __future__ import annotations

from fastapi import Request

from api.errors import TooLarge

__all__ = ["read_limited"]


def _too_large(limit: int) -> TooLarge:
    megabytes = limit // (1024 * 1024)
    return TooLarge(
        f"文件过大 (最大 {megabytes} MB), 未读取",
        f"file too large (at most {megabytes} MB); not read",
    )


async def read_limited(request: Request, *, limit: int) -> bytes:
    """The request body, at most `limit` bytes; `TooLarge` as soon as it is known to be more."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)
