from django.contrib import admin
from django.urls import include, path

from home.views import landing
from toolbox.api import api

handler400 = "toolbox.exceptions.bad_request"
handler403 = "toolbox.exceptions.permission_denied"
handler404 = "toolbox.exceptions.page_not_found"
handler500 = "toolbox.exceptions.server_error"

# The admin's "View site" link goes to the landing page.
admin.site.site_url = "/"
admin.site.site_header = "ToolboxAI administration"
admin.site.site_title = "ToolboxAI admin"
admin.site.index_title = "Users, classrooms and content"

urlpatterns = [
    path("", landing, name="home"),
    path("admin/", admin.site.urls),
    path("classroom/roblox/", include("robloxcloud.urls")),
    path("classroom/", include("classroom.urls")),
    path("lti/", include("lti.urls")),
    path("", api.urls),
]
