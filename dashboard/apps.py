from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The staff dashboard in the admin's Monitoring section: it reads the content apps' tables
    and monitoring's metrics snapshots, so it sits above both (see .importlinter)."""

    name = "dashboard"
    verbose_name = "Dashboard"
