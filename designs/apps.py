from django.apps import AppConfig


class DesignsConfig(AppConfig):
    name = "designs"

    def ready(self):
        from config.jobs import naming
        from designs.naming import describe

        naming.register("designs", describe)
