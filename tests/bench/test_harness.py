"""bench/harness.py: its servers never outlive the bench, and its receiver reads what the SDK
sends however it is compressed."""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import brotli
import httpx
import pytest
import sentry_sdk
from sentry_sdk.envelope import Envelope, Item, PayloadRef

from bench.harness import counting_receiver
from tests.support.sentry_receiver import INCOMPLETE
from tests.support.servers import ROOT, app_environment

# A bench run cut short: it starts one server (two workers), says which processes it started,
# then waits to be stopped like a person or a CI job would stop it.
BENCH = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from bench.harness import start_server

    work = Path(sys.argv[1])
    env = {"DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}", "SECRET_KEY": "x" * 60,
           "SENTRY_DSN": "", "LOG_FILE": "", "REDIS_URL": "", "ALLOWED_HOSTS": "127.0.0.1"}
    server = start_server("interrupted", work, env, workers=2)
    print(json.dumps([server.process.pid, *server.worker_pids()]), flush=True)
    time.sleep(600)
    """
)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent has not read its status yet


def default_signals() -> None:
    """The bench as started from a terminal: a runner started with ``nohup`` or ``&`` passes
    SIGHUP or SIGINT on ignored, and the bench rightly leaves an ignored signal ignored."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_harness__interrupted_bench_leaves_no_server_running(tmp_path, signum):
    bench = subprocess.Popen(
        [sys.executable, "-c", BENCH, str(tmp_path)],
        cwd=ROOT,
        env=app_environment({}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_signals,
    )
    try:
        line = bench.stdout.readline()
        assert line, bench.stderr.read()
        pids = json.loads(line)
        assert len(pids) == 3 and all(alive(pid) for pid in pids)
        bench.send_signal(signum)
        bench.wait(timeout=60)
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in pids if alive(pid)] == []
    finally:
        if bench.poll() is None:
            bench.kill()
        for pid in pids if "pids" in locals() else []:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def envelope_bytes() -> bytes:
    envelope = Envelope(headers={"event_id": "9ec79c33ec9942ab8353589fcb2e04dc"})
    envelope.add_item(Item(payload=PayloadRef(json={"message": "hi"}), type="event"))
    envelope.add_item(Item(payload=PayloadRef(json={"transaction": "/"}), type="transaction"))
    return envelope.serialize()


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("br", brotli.compress), ("", bytes)],
)
def test_counting_receiver__counts_items_in_every_encoding(encoding, compress):
    receiver = counting_receiver()
    try:
        response = httpx.post(
            f"http://127.0.0.1:{receiver.port}/api/42/envelope/",
            content=compress(envelope_bytes()),
            headers={"Content-Encoding": encoding} if encoding else {},
        )
        assert response.status_code == 200
        assert receiver.take() == {"event": 1, "transaction": 1}
        assert receiver.take() == {}
        assert receiver.envelopes == []  # counted, not kept
    finally:
        receiver.stop()


def test_counting_receiver__counts_what_the_sdk_sends_with_brotli_installed():
    receiver = counting_receiver()
    try:
        client = sentry_sdk.Client(dsn=receiver.dsn, default_integrations=False)
        assert client.transport._compression_algo == "br"  # what made the old receiver fail
        with sentry_sdk.new_scope() as scope:
            scope.set_client(client)
            sentry_sdk.capture_message("compressed")
        client.flush(timeout=5)
        client.close(timeout=2)
        assert receiver.take() == {"event": 1}
    finally:
        receiver.stop()


def test_counting_receiver__a_body_cut_short_is_counted_not_decoded():
    """A sender that times out mid-body closes its socket: the receiver read fewer bytes than
    Content-Length said, and once fed those to the decoder (brotli: "decoder failed")."""
    receiver = counting_receiver()
    body = brotli.compress(envelope_bytes())
    try:
        with socket.create_connection(("127.0.0.1", receiver.port), timeout=5) as sock:
            sock.sendall(
                b"POST /api/42/envelope/ HTTP/1.1\r\nHost: x\r\nContent-Encoding: br\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body[: len(body) // 2]
            )
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(1024) == b""  # closed without an answer
        deadline = time.monotonic() + 5
        while receiver.requests == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert receiver.take() == {INCOMPLETE: 1}
        # The next sender is served as before.
        response = httpx.post(
            f"http://127.0.0.1:{receiver.port}/api/42/envelope/",
            content=body,
            headers={"Content-Encoding": "br"},
        )
        assert response.status_code == 200
        assert receiver.take() == {"event": 1, "transaction": 1}
    finally:
        receiver.stop()


# Two processes sharing one listening socket, as gunicorn's workers do, each holding what it
# accepts; with "one", only the first accepts.
ACCEPTORS = textwrap.dedent(
    """
    import os, socket, sys, time
    listener = socket.create_server(("127.0.0.1", 0))
    print(listener.getsockname()[1], flush=True)
    if os.fork() == 0 and sys.argv[1] == "one":
        time.sleep(60)
    held = []
    listener.settimeout(0.2)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            held.append(listener.accept()[0])
        except (TimeoutError, socket.timeout):
            pass
    """
)


@pytest.mark.parametrize("accepting", ["one", "both"])
def test_connections_per_worker__counts_what_each_process_accepted(accepting):
    from bench.harness import connections_per_worker
    from bench.overhead import dealt_evenly

    acceptors = subprocess.Popen(
        [sys.executable, "-c", ACCEPTORS, accepting], stdout=subprocess.PIPE
    )
    clients, pids = [], []
    try:
        port = int(acceptors.stdout.readline())
        path = Path(f"/proc/{acceptors.pid}/task/{acceptors.pid}/children")
        deadline = time.monotonic() + 10
        while not path.read_text().split() and time.monotonic() < deadline:
            time.sleep(0.01)
        pids = [acceptors.pid, int(path.read_text().split()[0])]
        import socket

        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
        deadline = time.monotonic() + 10
        while sum(connections_per_worker(pids, port)) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        held = connections_per_worker(pids, port)
        assert sum(held) == 4, held
        if accepting == "one":
            assert held == [4, 0]
        # Our own ends of the connections are not the server's: this process holds none.
        assert connections_per_worker([os.getpid()], port) == [0]
        assert dealt_evenly(port, pids, 4) is (held == [2, 2])
    finally:
        for client in clients:
            client.close()
        for pid in pids[1:]:
            os.kill(pid, signal.SIGKILL)
        acceptors.kill()
        acceptors.wait()
