from django.apps import AppConfig


class TerrainConfig(AppConfig):
    name = "terrain"
    verbose_name = "Terrain"

    def ready(self) -> None:
        from monitoring.breadcrumbs import track_content_model
        from monitoring.errors import CONTENT_GENERATION, register_component
        from terrain.models import Terrain

        register_component("/api/v1/terrain/", "terrain", CONTENT_GENERATION)
        register_component("/api/v1/terrain", "terrain", CONTENT_GENERATION)  # the listing
        track_content_model(Terrain, "terrain")
