from __future__ import annotations

from django.conf import settings
from django.db import models


class RobloxConnection(models.Model):
    """A teacher's Roblox Open Cloud connection: their API key (encrypted, see
    :mod:`robloxcloud.crypto`), the experience scripts run in, and who owns uploaded assets."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roblox_connection"
    )
    # Fernet token; the plaintext key is never stored, shown, logged or sent to Sentry.
    api_key_encrypted = models.TextField()
    # The last four characters, for the masked display (``****abcd``).
    api_key_last4 = models.CharField(max_length=4)
    universe_id = models.PositiveBigIntegerField(null=True, blank=True)
    place_id = models.PositiveBigIntegerField(null=True, blank=True)
    creator_user_id = models.PositiveBigIntegerField(null=True, blank=True)
    creator_group_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Roblox connection of user #{self.owner_id} (key ****{self.api_key_last4})"


class PublicationTarget(models.TextChoices):
    ASSET = "asset", "Model asset (Assets API)"
    PLACE = "place", "Run in a place (Luau execution)"


class PublicationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class RobloxPublication(models.Model):
    """One publication of a script to Roblox and its outcome, as the teacher sees it.

    ``error`` and ``roblox_message`` are safe to show: the API key is masked out of anything
    Roblox says before it is stored.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roblox_publications"
    )
    script = models.ForeignKey(
        "roblox.RobloxScript", on_delete=models.CASCADE, related_name="publications"
    )
    target = models.CharField(max_length=8, choices=PublicationTarget.choices)
    status = models.CharField(
        max_length=8, choices=PublicationStatus.choices, default=PublicationStatus.QUEUED
    )
    # Assets API: the operation polled and the asset it created.
    operation_path = models.CharField(max_length=300, blank=True, default="")
    asset_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Luau execution: the task polled, its final state, return values and printed lines.
    task_path = models.CharField(max_length=500, blank=True, default="")
    task_state = models.CharField(max_length=32, blank=True, default="")
    output = models.JSONField(default=list, blank=True)
    logs = models.JSONField(default=list, blank=True)
    # A failure: what the teacher is told, and what Roblox answered.
    error = models.CharField(max_length=500, blank=True, default="")
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    roblox_code = models.CharField(max_length=64, blank=True, default="")
    retry_at = models.DateTimeField(null=True, blank=True)
    polls = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["owner", "-id"], name="robloxcloud_pub_owner")]

    def __str__(self) -> str:
        return f"{self.target} publication #{self.pk} ({self.status})"
