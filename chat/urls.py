"""Chat pages, under /t/<tenant_slug>/chat/ (namespace "chat")."""

from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
    path("", views.index, name="index"),
    path("c/<uuid:pk>/", views.conversation, name="conversation"),
    path("new/", views.open_conversation, name="open"),
    path("channels/new/", views.channel_new, name="channel_new"),
    path("channels/<uuid:pk>/join/", views.channel_join, name="channel_join"),
    path("read-all/", views.read_all, name="read_all"),
    path("badge/", views.badge, name="badge"),
    path("dnd/", views.dnd, name="dnd"),
    path("members/", views.members, name="members"),
    path("panel/<str:object_type>/<uuid:object_id>/", views.panel, name="panel"),
    path("attachments/<uuid:pk>/", views.attachment, name="attachment"),
]
