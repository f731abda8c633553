from django.apps import AppConfig


class PersonasConfig(AppConfig):
    name = "personas"

    def ready(self):
        from config import dashboard
        from config.jobs import naming
        from personas.naming import describe
        from personas.tiles import tile

        naming.register("personas", describe)
        dashboard.register(5, tile)
