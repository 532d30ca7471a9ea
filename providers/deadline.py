"""A deadline for a whole HTTP call made with a synchronous httpx2 client (the OpenAI SDK's).

httpx's timeouts bound each socket operation, not the call: a server that sends its answer a
byte at a time holds the caller for as long as it keeps sending. Inside ``with deadline(s):``
every connect, TLS handshake, write and read of a client whose transport is
:class:`DeadlineTransport` waits no longer than the time left, and fails with httpx's own timeout
errors once none is left (so callers, e.g. the OpenAI SDK, report them as timeouts). Outside a
``deadline`` block the transport behaves as httpx's default one.

The deadline is a context variable: it follows the call in its thread, and concurrent calls of
one client each have their own. Built on ``httpx2``/``httpcore2``, the forks of httpx/httpcore
that the OpenAI SDK uses (their API is httpx's and httpcore's).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from ssl import SSLContext
from typing import Any

import httpcore2 as httpcore
import httpx2 as httpx

_deadline: ContextVar[float | None] = ContextVar("toolbox_http_deadline", default=None)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Bound every HTTP call of a :class:`DeadlineTransport` client in this block to ``seconds``
    from now, all together."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def _time_left(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    end = _deadline.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise expired("the call's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(
            ssl_context, server_hostname, _time_left(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host,
            port,
            _time_left(timeout, httpcore.ConnectTimeout),
            local_address,
            socket_options,
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(
            path, _time_left(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's default transport (same arguments), honouring :func:`deadline`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # httpx does not pass a network backend through to httpcore's pool (direct or via a
        # proxy); the pool hands its backend to each connection it opens, so swapping it here,
        # before any connection exists, covers them all.
        pool = self._pool
        if not isinstance(getattr(pool, "_network_backend", None), httpcore.NetworkBackend):
            raise TypeError(f"{type(pool).__name__} has no network backend to wrap")
        pool._network_backend = _DeadlineBackend(pool._network_backend)
