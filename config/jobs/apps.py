from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "config.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        from django_q.signals import post_spawn

        from config.jobs.hooks import on_worker_spawned

        post_spawn.connect(on_worker_spawned, dispatch_uid="jobs.recover_lost_jobs")
