from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Classroom, RevokedToken, Role, User
from accounts.services import classroom_join_code_rotate


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
    """Admins manage rosters here (the API only lets students join with a code)."""

    list_display = ("name", "teacher", "join_code", "join_code_expires_at", "created_at")
    filter_horizontal = ("students",)
    search_fields = ("name",)
    readonly_fields = ("join_code", "join_code_expires_at")
    actions = ("rotate_join_code",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "students":  # a roster holds students only
            kwargs["queryset"] = User.objects.filter(role=Role.STUDENT)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.action(description="Issue new join codes (the old ones stop working)")
    def rotate_join_code(self, request, queryset):
        for classroom in queryset:
            classroom_join_code_rotate(classroom=classroom)
        self.message_user(request, f"New join codes issued for {queryset.count()} classroom(s).")
