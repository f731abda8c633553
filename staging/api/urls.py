from django.urls import path

from staging.api import views

urlpatterns = [
    path("stage", views.StageCreateView.as_view(), name="stage-create"),
    path("stage/batch", views.BatchCreateView.as_view(), name="stage-batch"),
    path("stage/batch/<uuid:batch_id>", views.BatchDetailView.as_view(), name="stage-batch-detail"),
    path("stage/batch/<uuid:batch_id>/export", views.BatchExportView.as_view(), name="stage-batch-export"),
    path("stage/room-set", views.RoomSetCreateView.as_view(), name="stage-room-set"),
    path("stage/room-set/<uuid:room_set_id>", views.RoomSetDetailView.as_view(), name="stage-room-set-detail"),
    path("stage/<uuid:staging_id>", views.StageDetailView.as_view(), name="stage-detail"),
    path("stage/<uuid:staging_id>/revise", views.StageReviseView.as_view(), name="stage-revise"),
    path("stage/<uuid:staging_id>/choose", views.StageChooseView.as_view(), name="stage-choose"),
    path("styles", views.StyleListView.as_view(), name="styles"),
    path("health", views.HealthView.as_view(), name="staging-health"),
    path("account", views.AccountView.as_view(), name="staging-account"),
]
