from django.urls import path

from floorplans.api import views

session = "sessions/<uuid:session_id>"
room = f"{session}/rooms/<uuid:room_id>"
urlpatterns = [
    path("sessions", views.SessionCreateView.as_view(), name="fp-sessions"),
    path(session, views.SessionDetailView.as_view(), name="fp-session"),
    path(f"{session}/satellite", views.SatelliteView.as_view(), name="fp-satellite"),
    path(f"{session}/house-bounds", views.HouseBoundsView.as_view(), name="fp-house-bounds"),
    path(f"{session}/rooms", views.RoomCreateView.as_view(), name="fp-rooms"),
    path(f"{session}/scans", views.ScanImportView.as_view(), name="fp-scans"),
    path(room, views.RoomDetailView.as_view(), name="fp-room"),
    path(f"{room}/photos/<str:direction>", views.PhotoUploadView.as_view(), name="fp-photo"),
    path(f"{room}/analyze", views.AnalyzeView.as_view(), name="fp-analyze"),
    path(f"{room}/revise", views.ReviseView.as_view(), name="fp-revise"),
    path(f"{room}/analysis", views.ManualAnalysisView.as_view(), name="fp-analysis"),
    path(f"{room}/revisions", views.RevisionListView.as_view(), name="fp-revisions"),
    path(f"{room}/revisions/<int:number>/restore", views.RevisionRestoreView.as_view(), name="fp-restore"),
    path(f"{session}/merge", views.MergeView.as_view(), name="fp-merge"),
    path(f"{session}/merge/revise", views.MergeReviseView.as_view(), name="fp-merge-revise"),
    path(f"{session}/finalize", views.FinalizeView.as_view(), name="fp-finalize"),
    path(f"{session}/finalize/revise", views.FinalizeReviseView.as_view(), name="fp-finalize-revise"),
    path(f"{session}/export/<str:export_format>", views.ExportView.as_view(), name="fp-export"),
]
