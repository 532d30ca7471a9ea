// Send the deep-linking response back to the LMS without a click (no inline script: CSP).
document.querySelectorAll("form[data-auto-submit]").forEach((form) => form.submit());
