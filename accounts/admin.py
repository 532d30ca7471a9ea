import math
from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError

from accounts.models import Classroom, Role, TokenFamily, User
from accounts.services import classroom_join_code_rotate


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form, saying so when the login is locked (accounts.throttling applies
    the same per-account and per-client limits as to the API's login)."""

    def get_invalid_login_error(self) -> ValidationError:
        wait = getattr(self.request, "login_retry_after", None)
        if wait:
            return ValidationError(
                "Too many failed logins. Try again in %(minutes)d minute(s).",
                code="throttled",
                params={"minutes": math.ceil(wait / 60)},
            )
        return super().get_invalid_login_error()


admin.site.login_form = ThrottledAdminAuthenticationForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "role", "is_staff", "is_active", "last_active")
    list_filter = ("role", "is_staff", "is_active")
    readonly_fields = ("last_active", "last_login", "date_joined")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Role", {"fields": ("role", "last_active")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Role", {"fields": ("role",)}),
    )


@admin.register(TokenFamily)
class TokenFamilyAdmin(admin.ModelAdmin):
    """Login sessions; revoking one (setting revoked_at) ends all of its tokens."""

    list_display = ("id", "user", "created_at", "expires_at", "revoked_at")
    # Token ids and the password fingerprint stay out of the page: no use to a person.
    fields = ("id", "user", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("id", "user", "created_at")
    list_select_related = ("user",)


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    """Admins manage rosters here (the API only lets students join with a code)."""

    list_display = ("name", "teacher_username", "join_code", "join_code_expires_at", "created_at")
    filter_horizontal = ("students",)
    search_fields = ("name",)
    readonly_fields = ("join_code", "join_code_expires_at")
    actions = ("rotate_join_code",)

    # ``str(user)`` carries no username (see ``User.__str__``): the admin names people itself.
    @admin.display(description="teacher", ordering="teacher__username")
    def teacher_username(self, classroom: Classroom) -> str:
        return classroom.teacher.username

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "teacher" and field is not None:
            field.label_from_instance = _username
        return field

    def formfield_for_manytomany(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "students":  # a roster holds students only
            kwargs["queryset"] = User.objects.filter(role=Role.STUDENT)
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "students" and field is not None:
            field.label_from_instance = _username
        return field

    @admin.action(description="Issue new join codes (the old ones stop working)")
    def rotate_join_code(self, request, queryset):
        for classroom in queryset:
            classroom_join_code_rotate(classroom=classroom)
        self.message_user(request, f"New join codes issued for {queryset.count()} classroom(s).")


def _username(user: User) -> str:
    return user.username
