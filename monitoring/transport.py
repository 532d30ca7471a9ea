"""The HTTP transport the SDK uses to reach Sentry, tuned so that Sentry can never hurt us.

The SDK's default transport waits up to 30 s per envelope and lets urllib3 retry each connection
several times. Its single sender thread then falls far behind a slow or dead Sentry. We send each
envelope once with a short timeout: what cannot be delivered is dropped (and counted by the SDK's
client reports), the queue stays bounded and worker shutdown stays quick.
"""

from __future__ import annotations

from typing import Any

import urllib3
from sentry_sdk.transport import HttpTransport

SEND_TIMEOUT_SECONDS = 2.0


class MonitoringTransport(HttpTransport):
    TIMEOUT = SEND_TIMEOUT_SECONDS

    def _get_pool_options(self) -> dict[str, Any]:
        options = super()._get_pool_options()
        options["retries"] = urllib3.util.Retry(total=0, redirect=0, raise_on_status=False)
        return options
