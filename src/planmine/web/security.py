"""Who may write, and what reaches the browser: bearer token, CSRF, body limit, type sniffing, headers."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planmine.ingest import SUPPORTED_SUFFIXES, sniff
from planmine.web.config import TOKEN_ENV, WebConfig

CSRF_COOKIE = "planmine_csrf"
# No inline script may run, whatever a document contains; every asset comes from the app itself.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
# What each suffix may really be: the bytes decide, the name has to agree.
_CONTENT_FOR_SUFFIX = {
    ".pdf": {"pdf"},
    ".docx": {"docx"},
    ".html": {"html", "text"},
    ".htm": {"html", "text"},
    ".xhtml": {"html", "text"},
    ".txt": {"text"},
    ".text": {"text"},
    ".md": {"text", "html"},
    ".markdown": {"text", "html"},
}
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")


class UploadRejected(HTTPException):
    """An uploaded file that is refused before ingest: wrong type, empty, too many files."""


def check_bearer(config: WebConfig, authorization: str | None) -> None:
    """Refuse a write without the server's bearer token (403 when writing is off, 401 when it is wrong)."""
    if not config.writable:
        raise HTTPException(
            403,
            f"Writing is disabled on this server: start `planmine serve` with ${TOKEN_ENV} set "
            "or --token-file FILE to allow uploads.",
        )
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given or not tokens_match(given.strip(), config.token or ""):
        raise HTTPException(
            401,
            "This request writes to the store and needs the header 'Authorization: Bearer <token>' "
            f"with the server's token (${TOKEN_ENV}).",
            headers={"WWW-Authenticate": "Bearer"},
        )


def tokens_match(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class Csrf:
    """Double-submit CSRF tokens, signed with a per-process secret: the cookie and the form field agree."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    def new(self) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._sign(nonce)}"

    def valid(self, token: str | None) -> bool:
        nonce, _, signature = (token or "").partition(".")
        return bool(nonce) and hmac.compare_digest(signature, self._sign(nonce))

    def check(self, request: Request, form_token: str | None) -> None:
        cookie = request.cookies.get(CSRF_COOKIE)
        if not (self.valid(form_token) and cookie and hmac.compare_digest(cookie, form_token or "")):
            raise HTTPException(
                403, "The form's CSRF token is missing or stale. Reload the upload page and send it again."
            )

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]


def safe_filename(name: str) -> str:
    """The file name without folders or odd characters (the suffix kept), never empty."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = _UNSAFE_NAME.sub("_", stem).strip(" ._")[:120] or "upload"
    return stem + _UNSAFE_NAME.sub("", suffix)


def check_upload(name: str, data: bytes) -> None:
    """Refuse a file whose bytes are not what planmine reads, or not what its name says (415)."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES or suffix not in _CONTENT_FOR_SUFFIX:
        raise UploadRejected(
            415,
            f"Cannot ingest '{name}': the suffix '{suffix or '(none)'}' is not supported. "
            f"Upload one of {', '.join(sorted(_CONTENT_FOR_SUFFIX))}.",
        )
    if not data:
        raise UploadRejected(422, f"Cannot ingest '{name}': the file is empty (0 bytes).")
    content = sniff(data)
    if content not in _CONTENT_FOR_SUFFIX[suffix]:
        raise UploadRejected(
            415,
            f"Cannot ingest '{name}': its name says {suffix} but its bytes are {content}. "
            "Rename it to what it is, or export it again.",
        )


class BodyLimit:
    """Refuse request bodies over the upload limit with 413, by their declared length or as they stream."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(int(declared))(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, self._message(seen))
            return message

        await self.app(scope, counted, send)

    def _message(self, size: int) -> str:
        limit = self.max_bytes / 1024**2
        return (
            f"The upload is {size / 1024**2:.1f} MB or more, over this server's limit of {limit:.1f} MB. "
            "Send fewer or smaller files, or start the server with a larger --max-upload-mb."
        )

    def _too_large(self, size: int) -> JSONResponse:
        return JSONResponse({"detail": self._message(size)}, status_code=413, headers=SECURITY_HEADERS)


class SecurityHeaders:
    """Add the CSP and friends to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                headers += [
                    (k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in have
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
