"""Runtime monitoring configuration in the admin: the settings, the alerts, the effective config."""

from __future__ import annotations

import logging

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from monitoring import runtime
from monitoring.effective import effective_settings
from monitoring.facade import add_breadcrumb
from monitoring.models import (
    Alert,
    EffectiveSentryConfiguration,
    MonitoringSettings,
    RouteSampleRate,
)

logger = logging.getLogger("monitoring.settings")


class RouteSampleRateInline(admin.TabularInline):
    model = RouteSampleRate
    extra = 1


@admin.register(MonitoringSettings)
class MonitoringSettingsAdmin(admin.ModelAdmin):
    inlines = [RouteSampleRateInline]
    readonly_fields = ("updated_at", "updated_by")
    fieldsets = (
        (
            "Sampling",
            {"fields": ("traces_sample_rate", "profiles_sample_rate", "never_traced_paths")},
        ),
        ("Error policy", {"fields": ("report_client_errors",)}),
        (
            "Session replay (teachers only; students are never recorded)",
            {"fields": ("replays_session_sample_rate", "replays_on_error_sample_rate")},
        ),
        (
            "Alerts",
            {
                "fields": (
                    "alert_error_rate",
                    "alert_window_minutes",
                    "alert_p95_ms",
                    "alert_min_requests",
                )
            },
        ),
        ("History", {"fields": ("updated_at", "updated_by")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not MonitoringSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # A singleton: the list is the one form.
        obj = MonitoringSettings.objects.filter(pk=1).first()
        if obj is None:
            return HttpResponseRedirect(reverse("admin:monitoring_monitoringsettings_add"))
        return HttpResponseRedirect(
            reverse("admin:monitoring_monitoringsettings_change", args=[obj.pk])
        )

    def save_model(self, request: HttpRequest, obj: MonitoringSettings, form, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        changed = sorted(
            set(form.changed_data)
            | {f"route rate {i.path_prefix}" for fs in formsets for i in fs.new_objects}
            | {f"route rate {i.path_prefix}" for fs in formsets for i, _ in fs.changed_objects}
            | {f"route rate {i.path_prefix}" for fs in formsets for i in fs.deleted_objects}
        )
        logger.info(
            "monitoring settings changed",
            extra={"changed_by": str(request.user.pk), "fields": changed},
        )
        add_breadcrumb(
            message="Monitoring settings changed",
            category="app.lifecycle",
            data={"changed_by": str(request.user.pk), "fields": changed},
        )
        runtime.invalidate()


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "value",
        "threshold",
        "window_minutes",
        "requests",
        "opened_at",
        "resolved_at",
    )
    list_filter = ("kind", "resolved_at")
    readonly_fields = [f.name for f in Alert._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(EffectiveSentryConfiguration)
class EffectiveSentryConfigurationAdmin(admin.ModelAdmin):
    """Read-only: the Sentry configuration in force and the source of each value."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def changelist_view(self, request: HttpRequest, extra_context=None):
        context = {
            **self.admin_site.each_context(request),
            "settings": effective_settings(),
            "alerts": Alert.objects.filter(resolved_at__isnull=True),
            "opts": self.model._meta,
            "title": "Effective Sentry configuration",
        }
        return TemplateResponse(request, "admin/monitoring/effective_config.html", context)
