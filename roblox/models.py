from __future__ import annotations

from django.conf import settings
from django.db import models


class ScriptKind(models.TextChoices):
    TERRAIN = "terrain", "Terrain"
    QUIZ = "quiz", "Quiz"
    LESSON = "lesson", "Lesson"
    CUSTOM = "custom", "Custom"


class RobloxScript(models.Model):
    """A Luau script waiting for (or already delivered to) its owner's Roblox Studio plugin.

    ``source`` is immutable once saved: ``checksum`` (sha256 of the UTF-8 source) lets the plugin
    verify what it downloaded, and ``compiled_ok``/``diagnostics`` record the syntax check made
    when the script was stored.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roblox_scripts"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ScriptKind.choices)
    source = models.TextField()
    checksum = models.CharField(max_length=64, help_text="sha256 of the UTF-8 source, hex")
    compiled_ok = models.BooleanField()
    diagnostics = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The plugin's poll: this owner's undelivered scripts after a cursor.
            models.Index(fields=["owner", "delivered_at", "id"], name="roblox_script_pending"),
        ]

    def __str__(self) -> str:
        return self.name
