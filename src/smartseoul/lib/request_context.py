"""The current request's id and client IP, visible to code that has no request in hand.

Write actions record the client IP in their audit event without every action taking a
``request`` argument; background tasks and the CLI simply have none.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    request_id: str
    ip: str | None


_current: ContextVar[RequestInfo | None] = ContextVar("smartseoul_request", default=None)


def bind(info: RequestInfo) -> object:
    return _current.set(info)


def reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def request_id() -> str | None:
    info = _current.get()
    return info.request_id if info else None


def client_ip() -> str | None:
    info = _current.get()
    return info.ip if info else None
