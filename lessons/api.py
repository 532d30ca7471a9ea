from ninja import Router

from accounts.auth import api_auth

router = Router(tags=["lessons"], auth=api_auth)
