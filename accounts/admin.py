from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Classroom, RevokedToken, User


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


@admin.register(RevokedToken)
class RevokedTokenAdmin(admin.ModelAdmin):
    list_display = ("jti", "revoked_at", "expires_at")
    readonly_fields = ("jti", "revoked_at", "expires_at")


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ("name", "teacher_username", "created_at")
    filter_horizontal = ("students",)
    search_fields = ("name",)

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
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "students" and field is not None:
            field.label_from_instance = _username
        return field


def _username(user: User) -> str:
    return user.username
