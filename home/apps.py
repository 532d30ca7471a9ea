from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The landing page at ``/``: what this server is and where to go next."""

    name = "home"
    verbose_name = "Home"
