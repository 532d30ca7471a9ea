"""Socket routes, behind the connection-scope and token middleware (``live.middleware``)."""

from channels.routing import URLRouter
from django.urls import path, re_path

from live.consumers import ClassroomConsumer, JobConsumer, UnknownPathConsumer
from live.middleware import websocket_stack

websocket_urlpatterns = [
    path("ws/jobs/<uuid:job_id>/", JobConsumer.as_asgi()),
    path("ws/classrooms/<int:classroom_id>/", ClassroomConsumer.as_asgi()),
    re_path(r"", UnknownPathConsumer.as_asgi()),
]

websocket_application = websocket_stack(URLRouter(websocket_urlpatterns))
