// The parts of @sentry/browser our pages use, bundled by `make vendor` into one IIFE that sets
// window.Sentry (like Sentry's CDN bundles, which the npm package no longer ships). Only what
// monitoring/static/monitoring/browser-init.js calls is exported, so the rest is tree-shaken.
export {
  init,
  browserTracingIntegration,
  replayIntegration,
  setUser,
  setTag,
  captureException,
  lastEventId,
  getClient,
  getTraceData,
} from "@sentry/browser";
