from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from monitoring.errors import register_component

        register_component("/api/v1/catalog", "catalog")
