from rest_framework import serializers

from config.jobs.models import Job, JobStep


class JobStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobStep
        fields = ["name", "item", "status", "started_at", "completed_at", "duration_ms", "error", "result_data"]


class JobSerializer(serializers.ModelSerializer):
    job_type = serializers.CharField(source="kind")
    error = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ["id", "job_type", "status", "progress", "current_step", "error", "attempts", "cluster",
                  "result", "created_at", "started_at", "finished_at"]

    def get_error(self, job: Job) -> dict | None:
        return {"code": job.error_code, "message": job.error_message} if job.error_code else None


class JobDetailSerializer(JobSerializer):
    steps = JobStepSerializer(many=True, read_only=True)

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "steps"]


class JobListSerializer(serializers.Serializer):
    items = JobSerializer(many=True)
    total = serializers.IntegerField()
