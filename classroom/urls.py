from django.urls import path

from classroom import views

app_name = "classroom"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("me/", views.student_home, name="student_home"),
    path("me/published/", views.student_published, name="student_published"),
    path("join/", views.join, name="join"),
    path("classes/", views.classes, name="classes"),
    path("classes/<int:classroom_id>/", views.class_detail, name="class_detail"),
    path("classes/<int:classroom_id>/join-code/", views.join_code_rotate, name="join_code_rotate"),
    path(
        "classes/<int:classroom_id>/students/<int:student_id>/remove/",
        views.student_remove,
        name="student_remove",
    ),
    path(
        "classes/<int:classroom_id>/quizzes/<int:quiz_id>/gradebook/",
        views.gradebook,
        name="gradebook",
    ),
    path("generate/terrain/", views.generate_terrain, name="generate_terrain"),
    path("generate/<str:kind>/", views.generate, name="generate"),
    path("jobs/<uuid:job_id>/", views.job, name="job"),
    path("lessons/<int:lesson_id>/", views.lesson, name="lesson"),
    path("quizzes/<int:quiz_id>/", views.quiz, name="quiz"),
    path("quizzes/<int:quiz_id>/submit/", views.quiz_submit, name="quiz_submit"),
    path("terrain/<int:terrain_id>/", views.terrain, name="terrain"),
    path("publish/<str:kind>/<int:content_id>/", views.publish, name="publish"),
]
