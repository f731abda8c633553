from rest_framework import serializers

from config.jobs.models import Job


class JobSerializer(serializers.ModelSerializer):
    job_type = serializers.CharField(source="kind")
    error = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ["id", "job_type", "status", "progress", "current_step", "error", "attempts", "cluster",
                  "result", "created_at", "started_at", "finished_at"]

    def get_error(self, job: Job) -> dict | None:
        return {"code": job.error_code, "message": job.error_message} if job.error_code else None
