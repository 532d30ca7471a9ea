"""Monitoring settings operators change at runtime in the admin, and the alerts it raised."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

RATE_VALIDATORS = [MinValueValidator(0.0), MaxValueValidator(1.0)]


def validate_path_prefix(value: str) -> None:
    if not value.startswith("/"):
        raise ValidationError("A path prefix starts with '/', e.g. /api/v1/quizzes/")


class MonitoringSettings(models.Model):
    """The one row of runtime overrides; empty fields mean "use the environment's value"."""

    traces_sample_rate = models.FloatField(
        null=True,
        blank=True,
        validators=RATE_VALIDATORS,
        help_text="Share of requests traced, 0 to 1. Empty: SENTRY_TRACES_SAMPLE_RATE.",
    )
    profiles_sample_rate = models.FloatField(
        null=True,
        blank=True,
        validators=RATE_VALIDATORS,
        help_text=(
            "Share of worker processes profiled, 0 to 1. Empty: SENTRY_PROFILES_SAMPLE_RATE. "
            "On Python 3.11 profiling can crash a worker (README, Profiling and Python 3.11)."
        ),
    )
    never_traced_paths = models.TextField(
        blank=True,
        help_text="Path prefixes never traced, one per line (/health and /metrics always are).",
    )
    report_client_errors = models.BooleanField(
        null=True,
        blank=True,
        help_text="Send 4xx errors to Sentry as events. Empty: only in development.",
    )
    # Session replay in the browser (monitoring.browser): teachers only, never students, all
    # text and inputs masked and media blocked whatever these say.
    replays_session_sample_rate = models.FloatField(
        default=0.0,
        validators=RATE_VALIDATORS,
        help_text="Share of teacher page sessions recorded from the start, 0 to 1 (default 0). "
        "Students are never recorded.",
    )
    replays_on_error_sample_rate = models.FloatField(
        default=1.0,
        validators=RATE_VALIDATORS,
        help_text="Share of teacher sessions whose last minute is sent when an error happens, "
        "0 to 1. Students are never recorded.",
    )
    alert_error_rate = models.FloatField(
        default=0.05,
        validators=[MinValueValidator(0.0001), MaxValueValidator(1.0)],
        help_text="Alert when the share of 5xx responses exceeds this (spec: 5%).",
    )
    alert_window_minutes = models.PositiveIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="The window the error rate is measured over, in minutes.",
    )
    alert_p95_ms = models.PositiveIntegerField(
        default=2000,
        validators=[MinValueValidator(1)],
        help_text="Alert when the 95th percentile response time exceeds this (spec: 2 s).",
    )
    alert_min_requests = models.PositiveIntegerField(
        default=20,
        validators=[MinValueValidator(1)],
        help_text="Fewer requests than this in the window never raise an alert.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )

    class Meta:
        verbose_name = "Monitoring settings"
        verbose_name_plural = "Monitoring settings"

    def __str__(self) -> str:
        return "Monitoring settings"

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # a singleton
        super().save(*args, **kwargs)

    def never_traced(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.never_traced_paths.splitlines() if line.strip())

    def clean(self) -> None:
        for line in self.never_traced():
            try:
                validate_path_prefix(line)
            except ValidationError as exc:
                raise ValidationError(
                    {"never_traced_paths": f"{line!r}: {exc.messages[0]}"}
                ) from None


class RouteSampleRate(models.Model):
    """A traces sample rate for the requests under one path prefix (the longest prefix wins)."""

    settings = models.ForeignKey(
        MonitoringSettings, on_delete=models.CASCADE, related_name="route_rates"
    )
    path_prefix = models.CharField(max_length=200, validators=[validate_path_prefix])
    traces_sample_rate = models.FloatField(validators=RATE_VALIDATORS)

    class Meta:
        unique_together = [("settings", "path_prefix")]
        ordering = ["path_prefix"]

    def __str__(self) -> str:
        return f"{self.path_prefix} -> {self.traces_sample_rate}"


class Alert(models.Model):
    """A threshold that was crossed; one Sentry message event per alert, not per request."""

    class Kind(models.TextChoices):
        ERROR_RATE = "error_rate", "Error rate"
        P95_LATENCY = "p95_latency", "p95 response time"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    value = models.FloatField()
    threshold = models.FloatField()
    window_minutes = models.PositiveIntegerField()
    requests = models.PositiveIntegerField()
    event_id = models.CharField(max_length=64, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            # At most one open alert of each kind, across every worker and instance.
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(resolved_at__isnull=True), name="one_open_alert"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value:g} > {self.threshold:g}"


class EffectiveSentryConfiguration(MonitoringSettings):
    """An admin page, not data: the Sentry configuration in force (see monitoring.effective)."""

    class Meta:
        proxy = True
        verbose_name = "Effective Sentry configuration"
        verbose_name_plural = "Effective Sentry configuration"


class MetricsSnapshot(models.Model):
    """A summary of one host's metrics registry at one moment (``monitoring.services``).

    The registry lives in memory (or in gunicorn's temporary directory) and starts again at zero
    with every restart; snapshots in the database let the admin dashboard draw history that
    survives restarts and add up every host. ``source`` names what was scraped: the host
    (``SENTRY_SERVER_NAME``) when the workers share a multiprocess registry, host and pid when a
    process has its own. Counters in ``data`` are cumulative; the dashboard takes differences
    between a source's consecutive snapshots.
    """

    source = models.CharField(max_length=200)
    taken_at = models.DateTimeField(db_index=True)
    data = models.JSONField()

    class Meta:
        ordering = ["source", "taken_at"]
        indexes = [models.Index(fields=["source", "taken_at"])]
        verbose_name = "Dashboard"
        verbose_name_plural = "Dashboard"

    def __str__(self) -> str:
        return f"{self.source} at {self.taken_at:%Y-%m-%d %H:%M:%S}"
