from django.apps import AppConfig


class StagingConfig(AppConfig):
    name = "staging"

    def ready(self):
        from config.jobs import naming
        from staging.naming import describe

        naming.register("staging", describe)
