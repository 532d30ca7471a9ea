from django.contrib import admin

from jobs.models import GenerationJob


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "progress", "owner", "content_id", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("id",)
    readonly_fields = [field.name for field in GenerationJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # jobs are started through the API
