from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import throttling  # noqa: F401  (connects the login-failure receivers)
        from monitoring.errors import AUTHENTICATION, register_component

        register_component("/api/v1/auth/", "accounts", AUTHENTICATION)
        register_component("/admin/", "admin")
