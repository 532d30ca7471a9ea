from django.urls import path

from robloxcloud import views

app_name = "robloxcloud"

urlpatterns = [
    path("", views.roblox_settings, name="settings"),
    path("disconnect/", views.roblox_disconnect, name="disconnect"),
    path("publish/", views.roblox_publish, name="publish"),
]
