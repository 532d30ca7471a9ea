"""Every Sentry hook, and the scrubbing that keeps secrets and personal data in the process.

ToolboxAI's users include children: no password, token, key, cookie or (with
``SENTRY_SEND_DEFAULT_PII`` off) e-mail address, IP address or user name may leave the process.
The SDK's own ``EventScrubber`` is not enough (it matches exact key names only, and it is disabled
anyway once ``data_collection`` is configured), so ``make_hooks`` returns the ``before_send*``
hooks that scrub every part of an event, transaction, breadcrumb and log:

* **by key**: the value under a sensitive key (``password``, ``new_password``, ``X-Auth-Token``,
  ``OPENAI_API_KEY``, ``client_secret``, a local variable ``pwd``…, and with PII off ``email``,
  ``username``, ``ip_address``…) becomes ``"[Filtered]"``, at any depth; see
  :func:`is_sensitive_key`;
* **by value**: secrets found inside any string are replaced in place, keeping the text around
  them: JWTs, ``Bearer``/``Basic`` credentials, API keys (OpenAI, Stripe, GitHub, Slack, AWS,
  Google…), PEM private keys, Django password hashes, ``user:password@`` in URLs, one-time
  tokens in URL paths (``/reset/<uid>/<token>/``), ``key=value`` / ``"key": "value"`` /
  ``'key': 'value'`` pairs with a sensitive key (query strings, cookies, JSON text, reprs of
  locals, log messages), Luhn-valid card numbers, US SSNs, IBANs, and with PII off e-mail
  addresses and IPv4/IPv6 addresses. Percent-encoded text (query strings, form bodies) is also
  checked decoded. Parameters of log templates are filtered by name (``%(password)s``) or by the
  word before their placeholder (``password=%s``; with PII off ``user %s``), and the message is
  re-rendered;
* **known secrets**: in error events and transactions, values found under a sensitive key (the
  request body, headers, cookies, frame locals, extra…, and the locals of the hint's traceback)
  are redacted wherever else they appear, so a bare ``pwd`` in an exception message goes too;
  values shorter than 6 characters are not harvested, except (PII off) account names under
  ``username``/``login``..., redacted where they stand as a whole word; see
  :mod:`monitoring.scrubbing.known`
  (the JSON log file does the same from its records' tracebacks, see :mod:`monitoring.logs`).

Not caught (no pattern can tell, and no key gives it away in the same event): a bare secret or
name in prose ("welcome back, Ada"), phone numbers outside a ``phone`` key, integers outside a
sensitive key (card numbers stored as ints).

Deliberate exceptions (documented, tested):

* usage figures are not secrets: an ``int``/``float`` (or numeric string) under a key such as
  ``total_tokens``, ``tokens_used``, ``token_count``, ``gen_ai.usage.input_tokens`` or
  ``session_count`` is kept; under ``token``, ``access_token`` or ``session_id`` it is not;
* ``author*`` keys are not ``auth``; keys that say *how* someone authenticated
  (``auth_method``, ``authentication_method``, ``auth_type``, ``auth_backend``, ``auth_provider``)
  are kept (their values still go through the value patterns);
* booleans and ``None`` are never secret (``is_authenticated: True`` survives);
* fields Sentry needs and that carry no user data are left alone: ids, timestamps, platform, sdk,
  level, release, environment, server name, modules, measurements, ``_meta``, exception
  ``type``/``module``/``mechanism``, frame file/function/line fields, trace and span ids;
* source lines of stack frames are scrubbed for secrets only (a hard-coded key or a quoted
  ``password = "…"``), not for e-mails/IPs nor for ``password = form.cleaned_data[...]``.

Cost: every pattern runs in time linear in the text (tested on attackers' inputs), and a text
longer than ``MAX_SCRUBBED_LENGTH`` (32 KiB) is cut to its head and tail around ``[truncated]``,
minus any word cut in two. With PII off, the locals of database-layer frames and the SQL
parameters of spans and breadcrumbs are not sent.

The hooks never raise: a field that cannot be scrubbed is dropped; an event that cannot be
scrubbed at all is dropped (``None``) rather than sent unscrubbed.

Modules: :mod:`.keys` (key classification), :mod:`.patterns` (value regexes, card/IBAN checks),
:mod:`.text` (free text and ``key=value`` pairs), :mod:`.walk` (recursive :func:`scrub`),
:mod:`.messages` (log templates, breadcrumbs, log items), :mod:`.events` (event fields),
:mod:`.harvest` and :mod:`.known` (known secrets: harvesting, redaction), :mod:`.registry`
(secrets the app registers), :mod:`.personal` (names of the signed-in user's people), :mod:`.hooks`
(the ``before_*`` hooks).

The package's API for the rest of the project is what this module exports (``__all__`` below);
code outside the package imports from ``monitoring.scrubbing`` only. Inside, each module declares
in its ``__all__`` what its siblings may use, and no module imports another's ``_private`` names
(``tests/monitoring/test_scrubbing_api.py`` checks both), so a name with a leading underscore can
be renamed or removed by reading one file.
"""

from __future__ import annotations

from monitoring.scrubbing.hooks import (
    before_breadcrumb,
    before_send,
    before_send_log,
    before_send_transaction,
    make_hooks,
)
from monitoring.scrubbing.keys import is_sensitive_key
from monitoring.scrubbing.known import harvest_exc_info, harvest_mapping, redact_known
from monitoring.scrubbing.patterns import FILTERED
from monitoring.scrubbing.personal import names_pattern, redact_names, scrub_personal_text
from monitoring.scrubbing.registry import forget_secret, register_secret, registered_secrets
from monitoring.scrubbing.text import scrub_text
from monitoring.scrubbing.walk import scrub

__all__ = [
    "FILTERED",
    "before_breadcrumb",
    "before_send",
    "before_send_log",
    "before_send_transaction",
    "forget_secret",
    "harvest_exc_info",
    "harvest_mapping",
    "is_sensitive_key",
    "make_hooks",
    "names_pattern",
    "redact_known",
    "redact_names",
    "register_secret",
    "registered_secrets",
    "scrub",
    "scrub_personal_text",
    "scrub_text",
]
