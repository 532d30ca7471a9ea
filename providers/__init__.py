"""Content providers: who writes a lesson or a quiz's questions.

* :mod:`providers.base`: the request types and the :class:`~providers.base.ContentProvider`
  protocol every provider implements;
* :mod:`providers.offline`: the deterministic offline generators (always available);
* :mod:`providers.openai_provider`: any OpenAI-compatible chat-completions API, with its answer
  validated against :mod:`providers.output` before anything is stored;
* :mod:`providers.breaker`: the circuit breaker around the LLM, reported to Sentry and ``/health``;
* :mod:`providers.selection`: which provider answers a request, and the offline fallback.
"""
