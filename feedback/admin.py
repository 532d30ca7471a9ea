from django.contrib import admin

from feedback.models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "status", "role", "content_kind", "content_id", "short")
    list_filter = ("status", "role", "content_kind")
    # Only the status is triaged by hand; the report itself is evidence and stays as sent.
    readonly_fields = (
        "user", "role", "message", "content_kind", "content_id", "page_path",
        "sentry_event_id", "feedback_event_id", "created_at",
    )  # fmt: skip
    actions = ["mark_triaged", "mark_closed"]

    @admin.display(description="Message")
    def short(self, obj: Feedback) -> str:
        return obj.message[:80]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Mark selected reports as triaged")
    def mark_triaged(self, request, queryset) -> None:
        queryset.update(status=Feedback.Status.TRIAGED)

    @admin.action(description="Mark selected reports as closed")
    def mark_closed(self, request, queryset) -> None:
        queryset.update(status=Feedback.Status.CLOSED)
