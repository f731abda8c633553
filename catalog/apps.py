from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self):
        from catalog.naming import describe
        from config.jobs import naming

        naming.register("catalog", describe)
