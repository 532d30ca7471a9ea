from django.apps import AppConfig


class TerrainConfig(AppConfig):
    name = "terrain"
    verbose_name = "Terrain"

    def ready(self) -> None:
        from monitoring.breadcrumbs import track_content_model
        from terrain.models import Terrain

        track_content_model(Terrain, "terrain")
