from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver


class Command(StaticRunserver):
    """``runserver`` on port 8008 by default, the port every example in the docs uses."""

    default_port = "8008"
