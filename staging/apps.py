from django.apps import AppConfig


class StagingConfig(AppConfig):
    name = "staging"

    def ready(self):
        from config import dashboard
        from config.jobs import dispatch, naming
        from staging.dispatch import JOB_KIND
        from staging.dispatch import dispatch as dispatch_stagings
        from staging.naming import describe
        from staging.tiles import tile

        naming.register("staging", describe)
        dispatch.register(JOB_KIND, dispatch_stagings)
        dashboard.register(1, tile)
