from django.apps import AppConfig


class PersonasConfig(AppConfig):
    name = "personas"

    def ready(self):
        from config.jobs import naming
        from personas.naming import describe

        naming.register("personas", describe)
