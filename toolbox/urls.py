from django.contrib import admin
from django.urls import include, path

from toolbox.api import api

handler400 = "toolbox.exceptions.bad_request"
handler403 = "toolbox.exceptions.permission_denied"
handler404 = "toolbox.exceptions.page_not_found"
handler500 = "toolbox.exceptions.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("classroom/", include("classroom.urls")),
    path("", api.urls),
]
