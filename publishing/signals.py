"""Signals the content apps send; ``live`` receives them (``LiveConfig.ready``) to push to
sockets, so that content never imports the socket layer above it."""

from django.dispatch import Signal

#: A lesson or quiz was given to a classroom. Sender: the model class; arguments: ``content``
#: (the instance) and ``classroom_id``. Sent inside the request's transaction.
content_published = Signal()
