"""Floor plan pages (phone first)."""

from django.urls import path

from floorplans import views

session = "<uuid:session_id>/"
room = f"{session}rooms/<uuid:room_id>/"
app_name = "floorplans"
urlpatterns = [
    path("", views.session_list, name="sessions"),
    path(session, views.session_hub, name="session"),
    path(f"{session}corner", views.starting_corner, name="corner"),
    path(f"{session}rooms", views.add_room, name="add_room"),
    path(f"{session}scans/preview", views.scan_preview, name="scan_preview"),
    path(f"{session}scans", views.scan_accept, name="scan_accept"),
    path(f"{session}footprint", views.house_footprint, name="footprint"),
    path(f"{session}merge", views.merge, name="merge"),
    path(f"{session}finalize", views.finalize, name="finalize"),
    path(f"{session}export", views.export, name="export"),
    path(room, views.room_page, name="room"),
    path(f"{room}photos/<str:direction>", views.upload_photo, name="photo"),
    path(f"{room}analyse", views.analyse, name="analyse"),
    path(f"{room}measurements", views.measurements, name="measurements"),
    path(f"{room}revisions/<int:number>/restore", views.restore, name="restore"),
    path(f"{room}accept", views.accept, name="accept"),
]
