"""Real user monitoring: the Sentry browser SDK on our pages, and the tunnel its envelopes take.

* :mod:`.config`: what a page's SDK is told (``browser_monitoring.html``): our tunnel, the
  rates in force, the opaque user id and role, and session replay for teachers only;
* :mod:`.envelopes`: the tunnel's checks and scrubbing of one envelope.

The tunnel's endpoint, ``POST /api/v1/sentry-tunnel``, is ``toolbox.sentry_tunnel``: it rate
limits with accounts' limiter and redacts the names accounts knows, so it sits above accounts.
"""
