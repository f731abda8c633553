from django.apps import AppConfig


class DesignsConfig(AppConfig):
    name = "designs"

    def ready(self):
        from config import dashboard
        from config.jobs import naming
        from designs.naming import describe
        from designs.tiles import tile

        naming.register("designs", describe)
        dashboard.register(4, tile)
