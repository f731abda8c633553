from django.apps import AppConfig


class FloorplansConfig(AppConfig):
    name = "floorplans"

    def ready(self):
        from config.jobs import naming
        from floorplans.naming import describe

        naming.register("floorplans", describe)
