from django.core.management.base import BaseCommand

from lti.tasks import grade_posts_retry_due


class Command(BaseCommand):
    help = "Send the LMS grade posts whose next try is due (run from cron as a safety net)."

    def handle(self, *args, **options) -> None:
        tried = grade_posts_retry_due()
        self.stdout.write(f"{tried} grade post(s) tried")
