from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import Role, User
from accounts.services import user_create

DEMO_USERS = (
    ("demo-admin", "admin-maple-kite-42", Role.ADMIN),
    ("demo-teacher", "teacher-maple-kite-42", Role.TEACHER),
    ("demo-student", "student-maple-kite-42", Role.STUDENT),
)


class Command(BaseCommand):
    help = "Development only: create demo admin, teacher and student users when none exist."

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            self.stdout.write("Not creating demo users in production.")
            return
        if User.objects.exists():
            self.stdout.write("Users exist already; no demo users created.")
            return
        self.stdout.write("Demo users (development only):")
        for username, password, role in DEMO_USERS:
            user_create(username=username, password=password, role=role)
            self.stdout.write(f"  {role:<8} username={username} password={password}")
