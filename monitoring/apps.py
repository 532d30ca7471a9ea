from django.apps import AppConfig
from django.conf import settings


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from django.core.signals import got_request_exception
        from django.db.backends.signals import connection_created

        from monitoring import breadcrumbs, errors
        from monitoring.logs import configure_structlog
        from monitoring.metrics import instrument_connection
        from monitoring.sentry import init_sentry

        configure_structlog()
        init_sentry(settings.SENTRY)
        breadcrumbs.connect_receivers()
        connection_created.connect(instrument_connection, dispatch_uid="monitoring-db-metrics")
        got_request_exception.connect(
            errors.request_exception_noted, dispatch_uid="monitoring-request-exception"
        )
        self._forget_permissions_on_change()

    def _forget_permissions_on_change(self) -> None:
        """The user context keeps permission names per user for a minute (a query saved per
        traced request): a change of permissions or groups clears them in this process."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed

        from monitoring.permissions import forget_permissions

        user = get_user_model()
        for through in (
            getattr(user, "user_permissions", None),
            getattr(user, "groups", None),
            Group.permissions,
        ):
            sender = getattr(through, "through", None)
            if sender is not None:
                m2m_changed.connect(
                    forget_permissions,
                    sender=sender,
                    dispatch_uid=f"monitoring-forget-permissions-{sender._meta.label_lower}",
                )
