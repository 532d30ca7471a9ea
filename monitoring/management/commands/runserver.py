from daphne.management.commands.runserver import Command as DaphneRunserver


class Command(DaphneRunserver):
    """``runserver`` on port 8008 by default, the port every example in the docs uses.

    Daphne's: it serves the ASGI application (``toolbox.asgi``), so HTTP and WebSockets
    (``ws/...``) share the port, with static files and autoreload as Django's own runserver.
    """

    default_port = "8008"
