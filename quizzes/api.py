from ninja import Router

from accounts.auth import api_auth

router = Router(tags=["quizzes"], auth=api_auth)
