"""WebSocket routes (included by adv/asgi.py)."""

from django.urls import path

from .consumers import UnreadCountConsumer

websocket_urlpatterns: list = [
    path("ws/t/<slug:tenant_slug>/notifications/", UnreadCountConsumer.as_asgi(), name="notifications-live"),
]
