from django.urls import path

from lti import views

app_name = "lti"

urlpatterns = [
    path("jwks.json", views.jwks, name="jwks"),
    path("login", views.oidc_login, name="login"),
    path("launch", views.launch, name="launch"),
    path("deep-link/<str:launch_id>/", views.deep_link, name="deep_link"),
    path("grades/", views.grades, name="grades"),
    path("grades/<int:grade_post_id>/retry/", views.grade_retry, name="grade_retry"),
]
