"""Template tags of the classroom pages."""

from __future__ import annotations

from django import template
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

BROWSER_MONITORING_TEMPLATE = "monitoring/browser_monitoring.html"


@register.simple_tag(takes_context=True)
def browser_monitoring(context: Context) -> SafeString:
    """The browser monitoring include (Sentry's browser SDK and its set-up, owned by the
    ``monitoring`` app) when it exists; nothing otherwise, so the pages work before and without
    it. Only a missing template is tolerated: an error inside it still fails loudly."""
    try:
        include = get_template(BROWSER_MONITORING_TEMPLATE)
    except TemplateDoesNotExist:
        return mark_safe("")
    return mark_safe(include.render(context.flatten(), context.get("request")))
