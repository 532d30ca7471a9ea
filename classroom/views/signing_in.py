"""Signing in and out, and the home page that sends each role to its own."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from accounts import services as account_services
from classroom import forms
from classroom.views.access import is_teacher


class SignInView(auth_views.LoginView):
    """Django's login view with our form: the lockout backend throttles it like the API's login,
    and a locked account is told when to try again (429)."""

    template_name = "classroom/sign_in.html"
    form_class = forms.SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form: forms.SignInForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 429 if form.locked_for else 400
        if form.locked_for:
            response["Retry-After"] = str(form.locked_for)
        return response

    def form_valid(self, form: forms.SignInForm) -> HttpResponse:
        response = super().form_valid(form)
        account_services.user_mark_active(user=form.get_user())
        return response


class SignOutView(auth_views.LogoutView):
    """POST only (Django's own rule): a link on another site cannot sign a child out."""


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if is_teacher(request.user):
        return redirect("classroom:classes")
    return redirect("classroom:student_home")
