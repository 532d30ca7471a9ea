"""The one NinjaAPI: every app's router is mounted here."""

from ninja import NinjaAPI

from monitoring.api import router as monitoring_router

api = NinjaAPI(
    title="ToolboxAI API",
    version="1.0.0",
    description="Educational content generation with built-in observability.",
    docs_url="/api/docs",
    openapi_url="/api/openapi.json",
)

api.add_router("", monitoring_router)
