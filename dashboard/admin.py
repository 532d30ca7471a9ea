"""The dashboard (Admin -> Monitoring -> Dashboard): charts drawn from aggregate queries over
the content apps' tables and from monitoring's metrics snapshots."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponseBadRequest
from django.template.response import TemplateResponse

from dashboard import selectors
from monitoring.models import MetricsSnapshot
from monitoring.services import metrics_snapshot_take_if_due


@admin.register(MetricsSnapshot)
class DashboardAdmin(admin.ModelAdmin):
    """The dashboard, in the admin's Monitoring section: charts drawn from aggregate queries over
    our tables and from the metrics snapshots. Staff only; the snapshots themselves are not
    listed or edited (they are data for the charts, not for people)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def get_urls(self):
        # Only the changelist (the dashboard): no change, history or delete pages for snapshots.
        return super().get_urls()[:1]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        range_name = request.GET.get("range", selectors.DEFAULT_RANGE)
        if range_name not in selectors.RANGES or set(request.GET) - {"range"}:
            return HttpResponseBadRequest("range must be one of: hour, day, week")
        # The latest figures join the history even where no cron job writes snapshots.
        metrics_snapshot_take_if_due()
        figures = selectors.dashboard_figures(range_name=range_name)
        charts = figures["content"] + figures["quizzes"]["charts"] + figures["metrics"]["charts"]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Dashboard",
            "figures": figures,
            "ranges": selectors.RANGES.values(),
            "chart_data": {chart["id"]: chart for chart in charts},
            "min_students": selectors.MIN_STUDENTS,
        }
        return TemplateResponse(request, "admin/monitoring/dashboard.html", context)
