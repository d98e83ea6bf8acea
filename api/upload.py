"""Reading an uploaded file: after the caller is checked, streamed, never past a limit.

An anonymous 512 MB upload was read whole into memory (104 -> 1,129 MB) before it was refused,
because the body was read before the caller was known. Routes that take a file therefore read
the raw request (no `File`/`Form` parameter, which FastAPI parses before any dependency runs),
check the token and the draw first, and only then call `read_limited`, which refuses a declared
length over the limit without reading a byte and stops reading as soon as the limit is passed.
`BodyLimit` bounds every other body the same way, before FastAPI parses it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request

from api.error_answers import error_body
from api.errors import TooLarge

__all__ = ["ANONYMOUS_BODY_LIMIT", "BodyLimit", "read_limited"]


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


ANONYMOUS_BODY_LIMIT = 64 * 1024  # the public sends only small bodies (a look-up)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: no request body is read past a limit, whatever the route.

    FastAPI reads and parses a JSON (or form) body before any dependency runs, so an anonymous
    caller could make the service read and parse any amount before it learnt that the caller
    may not post at all. A request without credentials (no `Authorization` header, no cookie)
    may send at most `ANONYMOUS_BODY_LIMIT` bytes, any other at most `limit` (a header is
    cheap to forge: `limit` is the bound that holds for everyone); a declared length over it is
    refused unread, and a body that passes it while streaming is answered 413 at once.
    """

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self._app = app
        self._limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        credentials = b"authorization" in headers or b"cookie" in headers
        limit = self._limit if credentials else ANONYMOUS_BODY_LIMIT
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _answer_too_large(send, limit)
            return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise _too_large(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True  # whatever the app answers now, the answer is 413
                    raise _too_large(limit)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                if not started:
                    started = True
                    await _answer_too_large(send, limit)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self._app(scope, limited_receive, guarded_send)
        if exceeded and not started:
            await _answer_too_large(send, limit)


async def _answer_too_large(send: Send, limit: int) -> None:
    error = (
        _too_large(limit)
        if limit >= 1024 * 1024
        else TooLarge(
            f"请求过大 (最大 {limit // 1024} KB), 未读取",
            f"request too large (at most {limit // 1024} KB); not read",
        )
    )
    body = json.dumps(error_body(error), ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": error.status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
