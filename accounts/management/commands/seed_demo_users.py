from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import Role, User
from accounts.services import classroom_create, classroom_student_enrol, user_create

DEMO_USERS = (
    ("demo-admin", "admin-maple-kite-42", Role.ADMIN),
    ("demo-teacher", "teacher-maple-kite-42", Role.TEACHER),
    ("demo-student", "student-maple-kite-42", Role.STUDENT),
)


DEMO_CLASSROOM = "Demo class"


class Command(BaseCommand):
    help = "Development only: create demo admin, teacher and student users when none exist."

    def handle(self, *args, **options):
        if settings.IS_HARDENED:
            self.stdout.write("Not creating demo users outside development environments.")
            return
        if User.objects.exists():
            self.stdout.write("Users exist already; no demo users created.")
            return
        self.stdout.write("Demo users (development only):")
        users = {}
        for username, password, role in DEMO_USERS:
            users[role] = user_create(username=username, password=password, role=role)
            self.stdout.write(f"  {role:<8} username={username} password={password}")
        # Enrolled directly, as an admin would in the admin: the demo works out of the box.
        classroom = classroom_create(teacher=users[Role.TEACHER], name=DEMO_CLASSROOM)
        classroom_student_enrol(classroom=classroom, student=users[Role.STUDENT])
        self.stdout.write(
            f"Demo classroom {classroom.name!r} (id {classroom.pk}) with demo-student; "
            f"join code {classroom.join_code} for other students"
        )
