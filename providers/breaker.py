"""The circuit breaker around the LLM (pybreaker), reported to Sentry and ``/health``.

After ``LLM_BREAKER_FAIL_MAX`` consecutive failed calls the breaker opens: for
``LLM_BREAKER_RESET_SECONDS`` no call is made and the offline generator answers at once. Then one
trial call is let through (half-open): success closes the breaker, failure opens it again.

* Every state change is a ``circuit_breaker`` breadcrumb (and a log line).
* Tripping (closed -> open) sends exactly one warning-level Sentry message, tagged
  ``component: providers``, ``error_category: external_api``, ``service: openai``, from the
  process that tripped it. A failed trial (half-open -> open) is only a breadcrumb: the provider
  is still down, which is not news.
* With ``REDIS_URL`` set the state lives in Redis (``pybreaker.CircuitRedisStorage``), so every
  worker sees one breaker; otherwise each process has its own, in memory. While Redis cannot be
  reached the state is kept in memory (one warning, no call waits on Redis) and Redis is tried
  again after ``REDIS_RETRY_SECONDS``.

Settings are read on every use, so ``override_settings`` works and a new ``REDIS_URL`` gets a new
storage. Callers use ``with breaker.calling():`` rather than ``breaker.call(...)``:
``CircuitBreaker.call`` holds the breaker's lock for the whole call, which would serialise every
LLM request of a threaded worker behind the slowest one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import pybreaker
import redis
from django.conf import settings
from sentry_sdk.utils import capture_internal_exceptions

from monitoring.circuits import circuit_open_report, register_circuit
from monitoring.facade import add_breadcrumb
from providers.errors import COMPONENT

logger = logging.getLogger(__name__)

OPENAI = "openai"
BREAKER_NAMES = (OPENAI,)
BREADCRUMB_CATEGORY = "circuit_breaker"
# Under REDIS_KEY_PREFIX, like every key we write: deployments sharing one Redis keep their own
# breakers.
REDIS_NAMESPACE = "breaker"
REDIS_TIMEOUT_SECONDS = 0.5
REDIS_RETRY_SECONDS = 30.0

OPEN = pybreaker.STATE_OPEN
CLOSED = pybreaker.STATE_CLOSED
HALF_OPEN = pybreaker.STATE_HALF_OPEN

T = TypeVar("T")


class SentryBreakerListener(pybreaker.CircuitBreakerListener):
    """Every state change becomes a breadcrumb and a log line."""

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        with capture_internal_exceptions():
            old = old_state.name if old_state is not None else None
            level = logging.WARNING if new_state.name == OPEN else logging.INFO
            add_breadcrumb(
                message=f"Circuit breaker {cb.name}: {old} -> {new_state.name}",
                category=BREADCRUMB_CATEGORY,
                level=logging.getLevelName(level).lower(),
                data={"breaker": cb.name, "from": old, "to": new_state.name},
            )
            logger.log(level, "circuit breaker %s: %s -> %s", cb.name, old, new_state.name)


class ReportingCircuitBreaker(pybreaker.CircuitBreaker):
    """A breaker that tells Sentry, once, when it trips."""

    def __init__(self, *, service: str, storage_kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service = service
        self.storage_kind = storage_kind

    def open(self) -> bool:
        # Only this process's own trips come through here; a state change noticed in Redis
        # (another worker tripped it) goes through the listener alone.
        previous = self.current_state
        throw_new_error = super().open()
        if previous == CLOSED:
            self._report_opened()
        return throw_new_error

    def _report_opened(self) -> None:
        circuit_open_report(
            self.name,
            component=COMPONENT,
            service=self.service,
            fail_max=self.fail_max,
            consequence=f"the offline generator answers for {self.reset_timeout:g} s",
            context={
                "name": self.name,
                "state": OPEN,
                "fail_max": self.fail_max,
                "reset_timeout_seconds": self.reset_timeout,
                "storage": self.storage_kind,
            },
        )


_lock = threading.Lock()
_breakers: dict[str, ReportingCircuitBreaker] = {}
# name -> the (REDIS_URL, REDIS_KEY_PREFIX) its breaker was built for
_built_for: dict[str, tuple[str, str]] = {}


class _RaisingRedisStorage(pybreaker.CircuitRedisStorage):
    """pybreaker's Redis storage, except that a Redis error reaches the caller.

    The library catches each one, logs it at ERROR (a Sentry event per breaker read while Redis
    is down) and answers a default; it reports through ``self.logger.exception`` from inside its
    ``except RedisError`` blocks, so a logger whose ``exception`` re-raises hands us the error.
    """

    class logger:
        @staticmethod
        def exception(*args: Any, **kwargs: Any) -> None:
            raise


class SharedStorage(pybreaker.CircuitBreakerStorage):
    """The breaker's state in Redis, so that every worker sees one breaker.

    While Redis cannot be reached the state lives in this process's memory: one warning, then no
    call waits on Redis until ``REDIS_RETRY_SECONDS`` have passed and it is tried again.
    """

    def __init__(self, name: str, redis_url: str, *, key_prefix: str) -> None:
        super().__init__("redis")
        self._breaker_name = name
        self._namespace = f"{key_prefix}:{REDIS_NAMESPACE}:{name}"
        self._client = redis.Redis.from_url(
            redis_url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self._shared: pybreaker.CircuitRedisStorage | None = None
        self._memory = pybreaker.CircuitMemoryStorage(CLOSED)
        self._down_until = 0.0  # time.monotonic(); a float store is atomic

    @property
    def reachable(self) -> bool:
        return time.monotonic() >= self._down_until

    def _use(self, operation: Callable[[pybreaker.CircuitBreakerStorage], T]) -> T:
        if self.reachable:
            try:
                if self._shared is None:  # its constructor talks to Redis
                    self._shared = _RaisingRedisStorage(
                        CLOSED, self._client, namespace=self._namespace
                    )
                return operation(self._shared)
            except redis.RedisError as exc:
                self._down_until = time.monotonic() + REDIS_RETRY_SECONDS
                logger.warning(
                    "circuit breaker %s keeps its state in memory for %.0f s: redis unreachable "
                    "(%s)",
                    self._breaker_name,
                    REDIS_RETRY_SECONDS,
                    type(exc).__name__,
                )
        return operation(self._memory)

    @property
    def state(self) -> str:
        return self._use(lambda storage: storage.state)

    @state.setter
    def state(self, state: str) -> None:
        self._use(lambda storage: setattr(storage, "state", state))

    def increment_counter(self) -> None:
        self._use(lambda storage: storage.increment_counter())

    def reset_counter(self) -> None:
        self._use(lambda storage: storage.reset_counter())

    def increment_success_counter(self) -> None:
        self._use(lambda storage: storage.increment_success_counter())

    def reset_success_counter(self) -> None:
        self._use(lambda storage: storage.reset_success_counter())

    @property
    def counter(self) -> int:
        return self._use(lambda storage: storage.counter)

    @property
    def success_counter(self) -> int:
        return self._use(lambda storage: storage.success_counter)

    @property
    def opened_at(self) -> datetime | None:
        return self._use(lambda storage: storage.opened_at)

    @opened_at.setter
    def opened_at(self, now: datetime) -> None:
        self._use(lambda storage: setattr(storage, "opened_at", now))


def get_breaker(name: str = OPENAI) -> ReportingCircuitBreaker:
    """The breaker called ``name``, configured from the current settings."""
    redis_url = settings.REDIS_URL
    built_for = (redis_url, settings.REDIS_KEY_PREFIX)
    with _lock:
        breaker = _breakers.get(name)
        if breaker is None or _built_for.get(name) != built_for:
            if redis_url:
                storage = SharedStorage(name, redis_url, key_prefix=settings.REDIS_KEY_PREFIX)
                kind = "redis"
            else:
                storage, kind = pybreaker.CircuitMemoryStorage(CLOSED), "memory"
            breaker = ReportingCircuitBreaker(
                name=name,
                service=name,
                storage_kind=kind,
                state_storage=storage,
                listeners=[SentryBreakerListener()],
                # The caller reports the failure that tripped the breaker; keep its exception.
                throw_new_error_on_trip=False,
            )
            _breakers[name] = breaker
            _built_for[name] = built_for
    breaker.fail_max = settings.LLM_BREAKER_FAIL_MAX
    breaker.reset_timeout = settings.LLM_BREAKER_RESET_SECONDS
    return breaker


def breaker_states() -> dict[str, str]:
    """``{"openai": "closed"}``: each breaker and its state (``closed``, ``open``, ``half-open``).

    Read from the storage, so with Redis it is the state all workers share.
    """
    return {name: get_breaker(name).current_state for name in BREAKER_NAMES}


def breakers_register() -> None:
    """Let ``/health`` and ``/metrics`` read the breakers' states. Idempotent."""
    for name in BREAKER_NAMES:
        register_circuit(name, lambda name=name: get_breaker(name).current_state)


def breakers_reset() -> None:
    """Forget every breaker of this process (tests; a Redis-held state stays in Redis)."""
    with _lock:
        _breakers.clear()
        _built_for.clear()
