from django.apps import AppConfig


class StagingConfig(AppConfig):
    name = "staging"

    def ready(self):
        from config import dashboard
        from config.jobs import naming
        from staging.naming import describe
        from staging.tiles import tile

        naming.register("staging", describe)
        dashboard.register(1, tile)
