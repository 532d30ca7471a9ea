"""Signals the jobs app sends; ``live`` receives them (``LiveConfig.ready``) and pushes each
step to the job's sockets, so that jobs never imports the socket layer above it."""

from django.dispatch import Signal

#: A job changed (queued, running, done, failed, interrupted), already saved. Sender:
#: ``GenerationJob``; argument: ``job``.
job_updated = Signal()
