from django.apps import AppConfig
from django.conf import settings


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from monitoring import breadcrumbs, errors
        from monitoring.logs import configure_structlog
        from monitoring.metrics import instrument_connection
        from monitoring.sentry import init_sentry

        configure_structlog()
        init_sentry(settings.SENTRY)
        breadcrumbs.connect_receivers()
        connection_created.connect(instrument_connection, dispatch_uid="monitoring-db-metrics")
        errors.register_component("/sentry", "monitoring")
        errors.register_component("/health", "monitoring")
        errors.register_component("/metrics", "monitoring")
