from django.apps import AppConfig


class FloorplansConfig(AppConfig):
    name = "floorplans"

    def ready(self):
        from config import dashboard
        from config.jobs import naming
        from floorplans.naming import describe
        from floorplans.tiles import tile

        naming.register("floorplans", describe)
        dashboard.register(2, tile)
