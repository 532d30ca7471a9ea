from __future__ import annotations

from django import forms

from robloxcloud.models import PublicationTarget

ROBLOX_ID = {"required": False, "min_value": 1, "max_value": 2**63 - 1}


class ConnectionForm(forms.Form):
    api_key = forms.CharField(
        label="Open Cloud API key",
        required=False,
        min_length=16,
        max_length=4096,
        strip=True,
        help_text="Leave empty to keep the saved key. Stored encrypted, never shown again.",
        # A password field: the browser never re-displays it, and it is not autofilled.
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    universe_id = forms.IntegerField(label="Universe id", **ROBLOX_ID)
    place_id = forms.IntegerField(label="Place id", **ROBLOX_ID)
    creator_user_id = forms.IntegerField(label="Creator user id (models)", **ROBLOX_ID)
    creator_group_id = forms.IntegerField(label="Creator group id (models)", **ROBLOX_ID)


class PublishForm(forms.Form):
    target = forms.ChoiceField(choices=PublicationTarget.choices)
    script_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    terrain_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
