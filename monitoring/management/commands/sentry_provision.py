import logging
import os

from django.core.management.base import BaseCommand, CommandError

from monitoring.conf import SentryApiConfig
from monitoring.env import exit_on_config_error
from monitoring.provisioning import sentry_provision
from monitoring.sentry_api import SentryApi, SentryApiError


class Command(BaseCommand):
    help = (
        "Create or update the Sentry alert rules, dashboard and grouping rules of the project "
        "(SENTRY_AUTH_TOKEN, SENTRY_ORG, SENTRY_PROJECT, SENTRY_URL). A second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read what exists, print the writes it would make (token redacted), send none.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        # Read here, not in settings: the app runs without them, only this command needs them.
        with exit_on_config_error():
            config = SentryApiConfig.from_env(os.environ)
        # httpx logs each request at INFO; this command reports what it did itself, one line each.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        try:
            with SentryApi(config, dry_run=dry_run, echo=self.stdout.write) as api:
                report = sentry_provision(api=api)
        except SentryApiError as exc:
            raise CommandError(str(exc)) from None
        prefix = "would be " if dry_run else ""
        for outcome, items in (("created", report.created), ("updated", report.updated)):
            for item in items:
                self.stdout.write(f"{prefix}{outcome}: {item}")
        for item in report.unchanged:
            self.stdout.write(f"unchanged: {item}")
        suffix = " (dry run: nothing sent)" if dry_run else ""
        self.stdout.write(f"Sentry {config.org}/{config.project}: {report.summary()}{suffix}")
