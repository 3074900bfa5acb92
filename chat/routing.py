"""WebSocket routes of the chat (added to adv/asgi.py's router)."""

from django.urls import path

from .consumers import ChatConsumer

websocket_urlpatterns: list = [
    path("ws/t/<slug:tenant_slug>/chat/", ChatConsumer.as_asgi(), name="chat-live"),
]
