/* Real user monitoring on every page (monitoring/templates/monitoring/browser_monitoring.html).
 *
 * Configuration comes from the page's <script type="application/json" id="sentry-browser-config">
 * block: the CSP forbids inline scripts. Without it (Sentry off) only toolboxReportProblem is
 * defined, so pages work the same. Privacy rules, enforced again by the server's tunnel:
 * - every envelope goes to our own tunnel (same origin), never to a Sentry host;
 * - the user is an opaque id and a role, no name, e-mail or IP (sendDefaultPii: false);
 * - session replay only when the server sent a replay block (teachers), all text and inputs
 *   masked, all media blocked; students never load a replay integration.
 */
(function () {
  "use strict";

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i += 1) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) {
        return decodeURIComponent(parts[i].slice(eq + 1));
      }
    }
    return "";
  }

  /* "Report a problem": POST /api/v1/feedback with the session's CSRF token and the id of the
   * last error Sentry saw on this page. Resolves with the stored report, rejects with
   * {status, detail}. */
  window.toolboxReportProblem = function (report) {
    report = report || {};
    var body = { message: report.message, page_path: window.location.pathname };
    if (report.contentKind) { body.content_kind = report.contentKind; }
    if (report.contentId) { body.content_id = report.contentId; }
    var eventId = window.Sentry && window.Sentry.lastEventId ? window.Sentry.lastEventId() : "";
    if (eventId) { body.event_id = eventId; }
    return fetch("/api/v1/feedback", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken") },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw { status: response.status, detail: data.detail };
        }
        return data;
      });
    });
  };

  var node = document.getElementById("sentry-browser-config");
  if (!node || !window.Sentry) {
    return;
  }
  var config = JSON.parse(node.textContent);
  var Sentry = window.Sentry;
  var integrations = [Sentry.browserTracingIntegration()];
  if (config.replay) {
    integrations.push(Sentry.replayIntegration({
      maskAllText: true,
      maskAllInputs: true,
      blockAllMedia: true
    }));
  }
  Sentry.init({
    dsn: config.dsn,
    tunnel: config.tunnel,
    environment: config.environment,
    release: config.release,
    sendDefaultPii: false,
    // Transactions as transaction items, which the tunnel scrubs like the server's.
    traceLifecycle: "static",
    tracesSampleRate: config.tracesSampleRate,
    // sentry-trace/baggage on our own fetches and sockets only (relative URLs, our origin).
    tracePropagationTargets: [/^\/(?!\/)/, window.location.origin],
    replaysSessionSampleRate: config.replay ? config.replay.sessionSampleRate : 0,
    replaysOnErrorSampleRate: config.replay ? config.replay.onErrorSampleRate : 0,
    integrations: integrations
  });
  if (config.user) {
    Sentry.setUser(config.user);
  }
}());
