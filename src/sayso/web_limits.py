"""The request size limit, enforced while the body arrives rather than after it is read.

``BodyLimit`` wraps the ASGI ``receive`` channel: a declared Content-Length over the limit
fails at the first read, before any of the body is taken in, and a body without one (sent
in chunks) fails as soon as the bytes received pass the limit. The failure is an
``HTTPException`` (413), so the app's handlers answer it like every other error.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# 5 MB: the input boundary's limit is 5,000,000 characters of text, and a pasted article
# or an uploaded page is far below that; a bigger request is refused with 413.
MAX_BODY_BYTES = 5 * 1024 * 1024


class BodyTooLargeError(HTTPException):
    """A request body over the limit (HTTP 413)."""

    code = "input_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request is over the limit of {limit:,} bytes")


class BodyLimit:
    """ASGI middleware that refuses request bodies over ``limit`` bytes while reading."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        received = 0

        async def limited() -> Message:
            nonlocal received
            if declared is not None and declared > self.limit:
                raise BodyTooLargeError(self.limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLargeError(self.limit)
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    headers: Any = scope.get("headers") or []
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
