from ninja import Router

from accounts.auth import api_auth

router = Router(tags=["terrain"], auth=api_auth)
