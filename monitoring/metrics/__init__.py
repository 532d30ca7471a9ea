"""Metrics for ``/metrics``: recording (per request, query, content item) and reporting."""

from monitoring.metrics.process import process_figures
from monitoring.metrics.recording import (
    instrument_connection,
    record_content_generated,
    record_rate_limited,
    record_request,
)
from monitoring.metrics.registry import scrape_registry
from monitoring.metrics.report import build_report

__all__ = [
    "build_report",
    "instrument_connection",
    "process_figures",
    "record_content_generated",
    "record_rate_limited",
    "record_request",
    "scrape_registry",
]
