/* The classroom pages' own script: live sockets, quizzes one question at a time, and the
 * "Report a problem" control. No inline script anywhere (the CSP allows only our files). */
(function () {
  "use strict";

  var announcer;
  function announce(text) {
    if (!announcer) announcer = document.getElementById("announcer");
    if (announcer) announcer.textContent = text;
  }

  /* --- sockets: <el data-socket="/ws/..."> receives every frame as a "toolbox:frame" event.
   * The browser sends the session cookie; the server checks that the page is ours (Origin). */
  var FINAL_CODES = [4401, 4403, 4404, 1008];

  /* A browser cannot set headers on a socket: the page's trace rides in the query string, so
   * the handshake joins the trace of the page (the server ignores its sampling decision). */
  function pageTrace() {
    var data = window.Sentry && window.Sentry.getTraceData ? window.Sentry.getTraceData() : {};
    if (!data || !data["sentry-trace"]) return "";
    return "?sentry-trace=" + encodeURIComponent(data["sentry-trace"]) +
      "&baggage=" + encodeURIComponent(data.baggage || "");
  }

  function openSocket(el, attempt) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(
      scheme + window.location.host + el.dataset.socket + pageTrace(), ["toolbox.v1"]);
    ws.addEventListener("open", function () { el.dataset.socketState = "connecting"; });
    ws.addEventListener("message", function (message) {
      var frame;
      try { frame = JSON.parse(message.data); } catch (e) { return; }
      if (frame.type === "ready") { el.dataset.socketState = "open"; attempt = 0; }
      el.dispatchEvent(new CustomEvent("toolbox:frame", { detail: frame, bubbles: true }));
    });
    ws.addEventListener("close", function (event) {
      el.dataset.socketState = "closed";
      if (FINAL_CODES.indexOf(event.code) !== -1) return;
      var wait = Math.min(30000, 1000 * Math.pow(2, attempt));  // back off, then keep trying
      window.setTimeout(function () { openSocket(el, attempt + 1); }, wait);
    });
  }

  /* <el data-refresh-on="quiz.published lesson.published" data-refresh="#target"
   *     [data-quiz-id="3"]>: re-read the target with htmx when such a frame arrives. */
  function refreshOnFrames(el) {
    var types = (el.dataset.refreshOn || "").split(" ");
    el.addEventListener("toolbox:frame", function (event) {
      var frame = event.detail;
      if (types.indexOf(frame.type) === -1) return;
      if (el.dataset.quizId && String(frame.quiz_id) !== el.dataset.quizId) return;
      var target = document.querySelector(el.dataset.refresh);
      if (target && window.htmx) window.htmx.trigger(target, "refresh");
      if (el.dataset.announce) announce(el.dataset.announce);
    });
  }

  /* The job page: progress from "job.status" frames; a link to the result when done. */
  function followJob(el) {
    var bar = el.querySelector("progress");
    var status = el.querySelector("[data-job-status]");
    var done = el.querySelector("[data-job-done]");
    el.addEventListener("toolbox:frame", function (event) {
      var frame = event.detail;
      if (frame.type !== "job.status") return;
      var job = frame.job;
      bar.value = job.progress;
      bar.textContent = job.progress + "%";
      el.dataset.jobState = job.status;
      if (job.status === "done") {
        status.textContent = "Done.";
        var link = done.querySelector("a");
        link.href = el.dataset.contentBase + job.content_id + "/";
        done.hidden = false;
        announce("Generation finished.");
      } else if (job.status === "failed") {
        status.textContent = job.error || "Generation failed.";
        announce(status.textContent);
      } else {
        status.textContent = job.status === "queued" ? "Waiting for a worker…" : "Writing…";
      }
    });
  }

  /* A quiz, one question at a time (without script every question shows, which works too). */
  function oneAtATime(form) {
    var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
    if (questions.length < 2) return;
    var nav = form.querySelector(".quiz-nav");
    var prev = nav.querySelector("[data-prev]");
    var next = nav.querySelector("[data-next]");
    var where = nav.querySelector("[data-where]");
    var submit = form.querySelector("[type=submit]");
    var current = 0;
    function show(index) {
      current = index;
      questions.forEach(function (q, i) { q.hidden = i !== index; });
      prev.hidden = index === 0;
      next.hidden = index === questions.length - 1;
      submit.hidden = index !== questions.length - 1;
      where.textContent = "Question " + (index + 1) + " of " + questions.length;
      var first = questions[index].querySelector("input");
      if (first && document.activeElement !== document.body) first.focus();
    }
    nav.hidden = false;
    prev.addEventListener("click", function () { show(current - 1); });
    next.addEventListener("click", function () { show(current + 1); });
    form.addEventListener("submit", function () { submit.disabled = true; });  // once
    show(0);
  }

  /* "Report a problem": shown only when the monitoring include provides the helper. */
  function reportProblem() {
    var button = document.getElementById("report-problem");
    var dialog = document.getElementById("report-dialog");
    if (!button || !dialog) return;
    if (typeof window.toolboxReportProblem !== "function") { button.hidden = true; return; }
    button.hidden = false;
    var form = dialog.querySelector("form");
    var status = dialog.querySelector("[data-report-status]");
    button.addEventListener("click", function () { status.textContent = ""; dialog.showModal(); });
    dialog.querySelector("[data-close]").addEventListener("click", function () { dialog.close(); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = document.body.dataset;
      var message = form.elements.message.value.trim();
      if (!message) { status.textContent = "Please describe the problem."; return; }
      status.textContent = "Sending…";
      window.toolboxReportProblem({
        message: message,
        contentKind: body.contentKind || null,
        contentId: body.contentId ? Number(body.contentId) : null
      }).then(function () {
        form.reset();
        status.textContent = "Thank you: your report was sent.";
      }, function () {
        status.textContent = "Sorry, the report could not be sent. Please try again later.";
      });
    });
  }

  function start() {
    document.querySelectorAll("[data-refresh-on]").forEach(refreshOnFrames);
    document.querySelectorAll("[data-job]").forEach(followJob);
    document.querySelectorAll("form[data-one-at-a-time]").forEach(oneAtATime);
    document.querySelectorAll("[data-socket]").forEach(function (el) { openSocket(el, 0); });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    // After "load": the monitoring include may define the helper in a script of its own.
    if (document.readyState === "complete") reportProblem();
    else window.addEventListener("load", reportProblem);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
