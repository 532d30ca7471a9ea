"""``GET /``: a small page saying what ToolboxAI is, with links to what a newcomer wants next.

It used to be Django's debug 404 listing every URL (and the admin's "View site" link led there).
No JavaScript, no inline style: the stylesheet is a static file, so the page works under the
Content-Security-Policy every response carries.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

# Paths served by the API (toolbox/api.py): the landing page test follows each of them.
API_DOCS_PATH = "/api/docs"
HEALTH_PATH = "/health"
CATALOG_PATH = "/api/v1/catalog"


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    links = [
        (
            reverse("classroom:home"),
            "The classroom",
            "Teachers: classes, lessons, quizzes, terrain and gradebooks. Students: your class.",
        ),
        (API_DOCS_PATH, "API documentation", "Every endpoint, with a form to try it."),
        (CATALOG_PATH, "Catalog", "Subjects, grade levels and the other choices content takes."),
        (HEALTH_PATH, "Health", "Whether the database, cache and monitoring are working."),
        (reverse("admin:index"), "Administration", "Users, classrooms, content and settings."),
    ]
    return TemplateResponse(request, "home/landing.html", {"links": links})
