import logging

import pytest
import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration

import monitoring.sentry
from monitoring.conf import SentryConfig, default_profiles_rate
from monitoring.sentry import build_options, init_sentry, is_initialized
from monitoring.tracing import TRUSTED_PARENT
from tests.support.sentry_receiver import SentryReceiver, relay_errors

pytestmark = pytest.mark.django_db(transaction=True)


def sampling_context(
    path: str, method: str = "GET", parent_sampled=None, trusted: bool = False
) -> dict:
    environ = {"PATH_INFO": path, "REQUEST_METHOD": method}
    if trusted:  # what monitoring.tracing's WSGI wrapper sets for a trusted origin
        environ[TRUSTED_PARENT] = True
    return {"wsgi_environ": environ, "parent_sampled": parent_sampled}


def test_build_options__development_traces_everything_but_probes():
    options = build_options(SentryConfig.for_environment("development", dsn="http://k@h/1"))
    sampler = options["traces_sampler"]
    assert sampler(sampling_context("/api/v1/quizzes/generate", "POST")) == 1.0
    assert sampler(sampling_context("/health")) == 0.0
    assert sampler(sampling_context("/metrics")) == 0.0
    assert sampler(sampling_context("/sentry/status", "HEAD")) == 0.0
    assert sampler(sampling_context("/sentry/status", "OPTIONS")) == 0.0
    assert options["profile_session_sample_rate"] == default_profiles_rate("development")


def test_build_options__production_samples_ten_percent_and_follows_trusted_parent_only():
    options = build_options(SentryConfig.for_environment("production", dsn="http://k@h/1"))
    sampler = options["traces_sampler"]
    assert sampler(sampling_context("/sentry/status")) == 0.1
    assert sampler(sampling_context("/sentry/status", parent_sampled=True, trusted=True)) == 1.0
    assert sampler(sampling_context("/sentry/status", parent_sampled=True)) == 0.1
    assert sampler(sampling_context("/health", parent_sampled=True, trusted=True)) == 0.0
    assert options["profile_session_sample_rate"] == default_profiles_rate("production")


def test_build_options__integrations_and_identity():
    config = SentryConfig.for_environment(
        "staging", dsn="http://k@h/1", release="r1", server_name="srv", enable_logs=True
    )
    options = build_options(config)
    django = next(i for i in options["integrations"] if isinstance(i, DjangoIntegration))
    assert django.transaction_style == "url"
    assert any(isinstance(i, LoggingIntegration) for i in options["integrations"])
    assert (options["release"], options["environment"], options["server_name"]) == (
        "r1",
        "staging",
        "srv",
    )
    assert options["enable_logs"] is True
    assert options["data_collection"]["user_info"] is False
    assert options["data_collection"]["gen_ai"] == {"inputs": False, "outputs": False}


def test_init_sentry__without_dsn_stays_inactive():
    assert init_sentry(SentryConfig()) is False
    assert not is_initialized()
    assert sentry_sdk.capture_message("nobody hears this") is None


def test_init_sentry__is_idempotent(sentry_receiver, settings):
    client = sentry_sdk.get_client()
    assert init_sentry(settings.SENTRY) is True
    assert sentry_sdk.get_client() is client


@pytest.mark.parametrize("safe", [False, True])
def test_init_sentry__profiling_switched_on_where_it_can_crash_is_logged(
    configure_sentry, monkeypatch, caplog, safe
):
    monkeypatch.setattr(monitoring.sentry, "profiler_is_safe", lambda: safe)
    receiver = SentryReceiver().start()
    try:
        with caplog.at_level(logging.WARNING, logger="monitoring.sentry"):
            configure_sentry("production", dsn=receiver.dsn, profiles_sample_rate=0.0)
            configure_sentry("production", dsn=receiver.dsn, profiles_sample_rate=0.5)
    finally:
        receiver.stop()
    warnings = [r.getMessage() for r in caplog.records if r.name == "monitoring.sentry"]
    if safe:
        assert warnings == []
    else:
        [warning] = warnings  # only the config that profiles
        assert warning.startswith("SENTRY_PROFILES_SAMPLE_RATE turns profiling on")
        assert "SIGSEGV" in warning


def test_sampling__unsampled_probe_sends_no_transaction(sentry_receiver, http):
    assert http.get("/health").status_code == 200
    assert http.get("/metrics").status_code == 200
    assert http.head("/sentry/status").status_code in (200, 405)
    assert http.get("/sentry/status").status_code == 200
    transactions = sentry_receiver.wait_for(lambda r: r.transactions)
    assert [t["transaction"] for t in transactions] == ["/sentry/status"]
    transaction = transactions[0]
    assert transaction["release"] == "toolbox@9.9.9-test"
    assert transaction["contexts"]["trace"]["op"] == "http.server"
    assert relay_errors(transaction) == []


def test_sampling__rate_zero_sends_no_transaction_but_errors(configure_sentry, http):
    from tests.support.sentry_receiver import SentryReceiver

    receiver = SentryReceiver().start()
    try:
        configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0.0)
        for _ in range(5):
            http.get("/sentry/status")
        sentry_sdk.capture_message("still delivered")
        receiver.wait_for(lambda r: r.events)
        assert receiver.transactions == []
    finally:
        receiver.stop()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, ["lesson failed to render"]),  # hardened default: WARNING and above
        ({"logs_level": "INFO"}, ["lesson listed", "lesson failed to render"]),
    ],
)
def test_sentry_logs__production_ships_warnings_unless_told_otherwise(
    configure_sentry, overrides, expected
):
    receiver = SentryReceiver().start()
    try:
        configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0.0, **overrides)
        log = logging.getLogger("lessons.sentry_logs_probe")
        log.info("lesson listed")
        log.warning("lesson failed to render")

        logs = receiver.wait_for(lambda r: [entry for entry in r.logs if "lesson" in entry["body"]])

        assert [entry["body"] for entry in logs] == expected
    finally:
        receiver.stop()


def test_hot_signals__skip_the_sdks_wrapper_and_other_signals_keep_their_spans(
    configure_sentry, monkeypatch
):
    from django.core.signals import request_started
    from django.dispatch import Signal

    receiver = SentryReceiver().start()
    try:
        configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=1.0)
        through_sdk: list[Signal] = []
        sdk_wrapper = Signal._live_receivers
        assert "sentry" in sdk_wrapper.__qualname__  # what DjangoIntegration installed

        def spy(self, sender):
            through_sdk.append(self)
            return sdk_wrapper(self, sender)

        monkeypatch.setattr(Signal, "_live_receivers", spy)
        heard: list[str] = []
        lesson_published = Signal()

        def on_request_started(sender, **kwargs):
            heard.append("request_started")

        def on_lesson_published(sender, **kwargs):
            heard.append("lesson_published")

        request_started.connect(on_request_started, dispatch_uid="test-hot-signal")
        lesson_published.connect(on_lesson_published, dispatch_uid="test-other-signal")
        try:
            with sentry_sdk.start_transaction(name="signals-probe", op="task"):
                request_started.send(sender=None)
                lesson_published.send(sender=None)
        finally:
            request_started.disconnect(dispatch_uid="test-hot-signal")
        assert heard == ["request_started", "lesson_published"]  # every receiver still runs
        assert through_sdk == [lesson_published]
        (transaction,) = receiver.wait_for(
            lambda r: [t for t in r.transactions if t.get("transaction") == "signals-probe"]
        )
        names = [s.get("description") for s in transaction["spans"] if s["op"] == "event.django"]
        assert names == [f"{__name__}.{on_lesson_published.__qualname__}"]
    finally:
        receiver.stop()
