from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self):
        from catalog.naming import describe
        from catalog.tiles import tile
        from config import dashboard
        from config.jobs import naming

        naming.register("catalog", describe)
        dashboard.register(3, tile)
