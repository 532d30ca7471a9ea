import getpass

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, User
from accounts.services import PasswordRejected, user_create


class Command(BaseCommand):
    help = "Create a user with a role: admin, teacher or student."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.STUDENT)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password", help="Prompted for when omitted (avoid passwords in shell history)."
        )

    def handle(self, *args, username, role, email, password, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists")
        if password is None:
            password = getpass.getpass("Password: ")
        if not password:
            raise CommandError("A password is required")
        try:
            user = user_create(username=username, password=password, role=role, email=email)
        except PasswordRejected as exc:
            raise CommandError(f"Password rejected: {exc}") from None
        self.stdout.write(
            self.style.SUCCESS(f"Created {user.role} {user.username!r} (id {user.pk})")
        )
