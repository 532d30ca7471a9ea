from ninja import Router

from accounts.auth import api_auth

router = Router(tags=["roblox"], auth=api_auth)
