"""The base of every socket: authentication, the frame protocol, and monitoring.

A connection is accepted at once (a close code can only reach a client on an accepted socket),
then authenticated by the middleware (subprotocol) or by its first ``auth`` frame, then
authorised by the subclass (:meth:`LiveConsumer.authorize`), which closes it with 4401, 4403 or
4404 when it may not stay.

Every unit of work is its own Sentry transaction: the handshake (``websocket.connect``), each
frame received (``websocket.message``, named ``<Consumer>.<message type>``), each push from the
channel layer (``websocket.send``, continuing the pusher's trace) and the close
(``websocket.disconnect``). A failing handler is reported with the message type and the scrubbed
frame, answered with an ``error`` frame, and the connection stays usable.

A client's frames are rate limited (:class:`~live.protocol.FrameBudget`): frames over the limit
are dropped before any work or transaction, and a client that keeps flooding is closed with
1008. An authenticated session lasts as long as its access token: the socket is closed with 4401
when the token expires, and every ``SESSION_RECHECK_SECONDS`` the session and the subclass's
:meth:`LiveConsumer.authorize` are checked again (a logout, a deactivated user or a student
removed from the class closes it, with the code the handshake would now get).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from typing import Any, ClassVar

import sentry_sdk
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from ninja import Schema

from accounts.models import User
from live import protocol, tracking
from live.auth import AuthenticationFailed, Identity, identify_async, session_ended_async
from live.dispatch import dispatch_until_stopped
from live.protocol import (
    AUTH_TIMEOUT_SECONDS,
    COMMON_MESSAGES,
    FORBIDDEN,
    MAX_REFUSED_FRAMES,
    NOT_FOUND,
    POLICY_VIOLATION,
    RATE_LIMITED_TYPE,
    SUBPROTOCOL,
    UNAUTHENTICATED,
    ClientMessage,
    FrameBudget,
    ProtocolError,
)

__all__ = ["FORBIDDEN", "NOT_FOUND", "LiveConsumer", "UnknownPathConsumer"]

logger = logging.getLogger("live")

Denial = tuple[int, str]


class LiveConsumer(AsyncWebsocketConsumer):
    """Subclasses declare ``messages`` (type -> schema, handled by ``on_<type>``), implement
    :meth:`authorize`, :meth:`subscribe` and maybe :meth:`snapshot`, and handle channel-layer
    events by type."""

    messages: ClassVar[dict[str, type[Schema]]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.identity: Identity | None = None
        self.opened_at = 0.0
        self.counted = False  # in the open-connections gauge
        self.closed = False
        self.joined: list[str] = []
        self.auth_timer: asyncio.Task | None = None
        self.session_watch: asyncio.Task | None = None
        self.budget = FrameBudget()
        self.refused_in_a_row = 0

    # --- for subclasses ---------------------------------------------------------------------

    async def authorize(self, user: User) -> Denial | None:
        """``(close code, reason)`` when ``user`` may not use this socket, else None."""
        return None

    async def subscribe(self) -> None:
        """The user is authenticated and authorised: join the groups to be pushed from."""

    async def snapshot(self) -> None:
        """After ``ready``: the current state, for a client that connects late."""

    # --- helpers ----------------------------------------------------------------------------

    @property
    def consumer_name(self) -> str:
        return type(self).__name__

    @property
    def path(self) -> str:
        return tracking.path_of(self.scope)

    @property
    def user(self) -> User | None:
        return self.identity.user if self.identity else None

    @classmethod
    def message_schemas(cls) -> dict[str, type[Schema]]:
        return {**COMMON_MESSAGES, **cls.messages}

    async def send_frame(self, frame: dict[str, Any]) -> None:
        if self.closed:
            return
        tracking.message_counted(self.consumer_name, "out", frame["type"])
        await self.send(text_data=json.dumps(frame, cls=DjangoJSONEncoder))

    async def close(self, code: int | None = None, reason: str | None = None) -> None:
        if self.closed:
            return
        self.closed = True
        # A close frame's reason is at most 123 bytes; ours are short ASCII sentences.
        await super().close(code=code, reason=reason[:120] if reason else reason)

    async def reject(self, code: int, reason: str) -> None:
        """Close with an application code; recorded as a refused connection."""
        if self.closed:
            return
        tracking.rejected(self.consumer_name, self.path, code=code, reason=reason)
        await self.close(code=code, reason=reason)

    async def join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined.append(group)

    def _transaction(
        self, op: str, name: str, trace_headers: dict[str, str] | None = None, trusted: bool = True
    ):
        return tracking.transaction(
            self.scope,
            op=op,
            name=f"{self.consumer_name}.{name}",
            trace_headers=trace_headers,
            trusted=trusted,
        )

    async def _fail(
        self, exc: BaseException, message_type: str, payload: Any, trace: Any = None
    ) -> None:
        event_id = tracking.capture_failure(
            exc, asgi_scope=self.scope, message_type=message_type, payload=payload,
            trace_headers=trace,
        )  # fmt: skip
        frame = protocol.error_frame(
            "internal_error",
            "The server could not process this message; the error has been reported.",
            message_type=message_type,
        )
        if event_id:
            frame["event_id"] = event_id
        with contextlib.suppress(Exception):
            await self.send_frame(frame)

    # --- the ASGI events --------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            await self._serve(scope, receive, send)
        finally:
            self._stop_timers()
            if self.counted:  # the server went away without a disconnect event
                self.counted = False
                tracking.closed(
                    self.consumer_name,
                    self.path,
                    code=None,
                    duration_seconds=time.monotonic() - self.opened_at,
                )

    async def _serve(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """``AsyncConsumer.__call__`` with :func:`dispatch_until_stopped`; a channel layer that
        fails (Redis gone) is reported and the socket closed with 1011, not left to crash."""
        self.scope = scope
        self.base_send = send
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        sources = [receive]
        try:
            if self.channel_layer is not None:
                self.channel_name = await self.channel_layer.new_channel()
                self.channel_receive = functools.partial(
                    self.channel_layer.receive, self.channel_name
                )
                sources.append(self.channel_receive)
            await dispatch_until_stopped(sources, self.dispatch)
        except StopConsumer:
            pass
        except Exception as exc:
            tracking.capture_failure(
                exc, asgi_scope=scope, message_type="channel_layer", payload={}
            )
            with contextlib.suppress(Exception):
                await self.close(code=protocol.INTERNAL_ERROR)

    async def dispatch(self, message: dict[str, Any]) -> None:
        message_type = message.get("type", "")
        if message_type.startswith("websocket."):
            await self._run_handler(message)
            return
        # A push from the channel layer, in the trace of whoever pushed it.
        name = f"{self.consumer_name}.{message_type}"
        with tracking.push(self.scope, name=name, event=message) as traced:
            try:
                await self._run_handler(message)
            except StopConsumer:
                raise
            except Exception as exc:
                payload = {k: v for k, v in message.items() if k not in tracking.PUSH_KEYS}
                trace = None if traced else message.get("trace")
                await self._fail(exc, message_type, payload, trace)

    async def _run_handler(self, message: dict[str, Any]) -> None:
        """``AsyncConsumer.dispatch`` without its ``aclose_old_connections()`` per message.

        Channels closes stale database connections before every message, a hop to the sync
        thread and back: for a broadcast, once per socket for a frame that never touches the
        database (1,000 hops for a class of 1,000). Every query of ours runs in
        ``database_sync_to_async``, which closes stale connections before and after each call,
        so the per-message pass adds nothing here.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        self.opened_at = time.monotonic()
        wait_for_auth = False
        page_trace = tracking.client_trace_headers(self.scope)
        with self._transaction("websocket.connect", "connect", page_trace, trusted=False):
            try:
                tracking.prepare_scope(
                    sentry_sdk.get_isolation_scope(), self.scope, self.consumer_name
                )
                offered = self.scope.get("subprotocols") or []
                await self.accept(SUBPROTOCOL if SUBPROTOCOL in offered else None)
                self.counted = True
                tracking.opened(self.consumer_name, self.path)
                if self.scope.get("identity") is not None:
                    await self._authenticated(self.scope["identity"])
                elif self.scope.get("auth_error"):
                    await self.reject(UNAUTHENTICATED, self.scope["auth_error"])
                else:
                    wait_for_auth = True
            except Exception as exc:
                tracking.capture_failure(
                    exc, asgi_scope=self.scope, message_type="connect", payload={}
                )
                await self.close(code=protocol.INTERNAL_ERROR)
        if wait_for_auth:
            self.auth_timer = asyncio.ensure_future(self._auth_deadline())

    async def websocket_receive(self, message: dict[str, Any]) -> None:
        if self.closed:
            return
        if not self.budget.take():
            await self._refuse_frame()
            return
        self.refused_in_a_row = 0
        try:
            parsed = protocol.parse(
                message.get("text"), message.get("bytes"), self.message_schemas()
            )
        except ProtocolError as exc:
            with self._transaction("websocket.message", exc.message_type):
                tracking.message_counted(self.consumer_name, "in", exc.message_type)
                await self.send_frame(exc.frame())
            return
        with self._transaction("websocket.message", parsed.type):
            tracking.message_counted(self.consumer_name, "in", parsed.type)
            try:
                await self._handle(parsed)
            except ProtocolError as exc:
                await self.send_frame(exc.frame())
            except Exception as exc:
                await self._fail(exc, parsed.type, parsed.raw)

    async def _refuse_frame(self) -> None:
        """A frame over the rate limit: dropped unread, answered once per run of them."""
        self.refused_in_a_row += 1
        tracking.message_counted(self.consumer_name, "in", RATE_LIMITED_TYPE)
        if self.refused_in_a_row >= MAX_REFUSED_FRAMES:
            await self.reject(POLICY_VIOLATION, "Too many messages")
        elif self.refused_in_a_row == 1:
            await self.send_frame(
                protocol.error_frame(
                    "rate_limited",
                    f"Too many messages: at most {self.budget.rate:g} per second (bursts of "
                    f"{self.budget.burst}); frames over the limit are not processed",
                )
            )

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        self._stop_timers()
        code = message.get("code")
        with self._transaction("websocket.disconnect", "disconnect"):
            try:
                if self.counted:
                    self.counted = False
                    tracking.closed(
                        self.consumer_name,
                        self.path,
                        code=code,
                        duration_seconds=time.monotonic() - self.opened_at,
                    )
                for group in self.joined:
                    await self.channel_layer.group_discard(group, self.channel_name)
            except Exception as exc:
                tracking.capture_failure(
                    exc, asgi_scope=self.scope, message_type="disconnect", payload={"code": code}
                )
        raise StopConsumer()

    # --- authentication and messages --------------------------------------------------------

    async def _authenticated(self, identity: Identity) -> None:
        self._stop_timers()
        self.identity = identity
        tracking.identify(
            sentry_sdk.get_isolation_scope(), identity.sentry_user, identity.user.role
        )
        denial = await self.authorize(identity.user)
        if denial is not None:
            await self.reject(*denial)
            return
        self.session_watch = asyncio.ensure_future(self._watch_session())
        # Subscribed before "ready": whatever is published once a client has "ready" reaches it.
        await self.subscribe()
        await self.send_frame(
            {
                "type": "ready",
                "user": {"id": identity.user.pk, "role": identity.user.role},
                "path": self.path,
            }
        )
        await self.snapshot()

    async def _auth_deadline(self) -> None:
        await asyncio.sleep(AUTH_TIMEOUT_SECONDS)
        if self.identity is None and not self.closed:
            await self.reject(UNAUTHENTICATED, "Authentication timed out")

    async def _watch_session(self) -> None:
        """Close the socket when its token expires, or when a periodic check finds that the
        session or the user's access to this socket has ended."""
        identity = self.identity
        assert identity is not None
        while not self.closed:
            left = identity.expires_at - time.time()
            await asyncio.sleep(max(0.0, min(left, protocol.SESSION_RECHECK_SECONDS)))
            if self.closed:
                return
            try:
                reason = await session_ended_async(identity)
                if reason is not None:
                    denial: Denial | None = (UNAUTHENTICATED, reason)
                else:
                    denial = await self.authorize(identity.user)
            except Exception as exc:
                # A database outage: keep the socket and check again later. Not a Sentry event:
                # every open socket would send one a minute, and the outage is reported anyway.
                logger.warning(
                    "websocket session not checked",
                    extra={"consumer": self.consumer_name, "error": type(exc).__name__},
                )
                continue
            if denial is not None:
                await self.reject(*denial)
                return

    def _stop_timers(self) -> None:
        for timer in (self.auth_timer, self.session_watch):
            if timer is not None and timer is not asyncio.current_task():
                timer.cancel()
        self.auth_timer = self.session_watch = None

    async def _handle(self, message: ClientMessage) -> None:
        if self.closed:
            return
        if message.type == "auth":
            if self.identity is not None:
                raise ProtocolError("already_authenticated", "This socket is authenticated")
            try:
                identity = await identify_async(message.payload.token)
            except AuthenticationFailed as exc:
                await self.reject(UNAUTHENTICATED, str(exc))
                return
            await self._authenticated(identity)
            return
        if self.identity is None:
            await self.reject(UNAUTHENTICATED, "Authenticate first")
            return
        if message.type == "ping":
            await self.send_frame({"type": "pong"})
            return
        handler = getattr(self, "on_" + message.type.replace(".", "_"))
        await handler(message.payload)


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """Any other path: accepted only to be closed with 4404, so the client learns why."""

    channel_layer_alias = None  # joins nothing: no channel, no Redis round trip

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        name = type(self).__name__
        tracking.prepare_scope(sentry_sdk.get_isolation_scope(), self.scope, name)
        await self.accept()
        tracking.rejected(
            name, tracking.path_of(self.scope), code=NOT_FOUND, reason="No such socket"
        )
        await self.close(code=NOT_FOUND, reason="No such socket")
