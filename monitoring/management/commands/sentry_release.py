import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from monitoring.conf import SentryApiConfig
from monitoring.env import exit_on_config_error

SENTRY_CLI_TIMEOUT_SECONDS = 120


def sentry_cli_path() -> str:
    """The ``sentry-cli`` of this virtualenv (PyPI package, requirements-dev.txt), else PATH's."""
    beside = Path(sys.executable).with_name("sentry-cli")
    found = str(beside) if beside.exists() else shutil.which("sentry-cli")
    if not found:
        raise CommandError("sentry-cli is not installed: pip install -r requirements-dev.txt")
    return found


def cli_failure(output: str) -> str:
    """sentry-cli's ``error:`` line and its deepest cause, on one line (no backtrace)."""
    lines = [line.strip() for line in output.splitlines()]
    error = next((ln for ln in lines if ln.lower().startswith("error:")), "")
    causes: list[str] = []
    if "Caused by:" in lines:
        for line in lines[lines.index("Caused by:") + 1 :]:
            if not line or line.startswith("Stack backtrace"):
                break
            causes.append(re.sub(r"^\d+:\s*", "", line))
    reason = error.partition(":")[2].strip() if error else (lines[0] if lines else "")
    if causes and causes[-1] != reason:
        reason = f"{reason}: {causes[-1]}"
    return reason


class Command(BaseCommand):
    help = (
        "Tell Sentry about this release with sentry-cli: create it, associate commits, finalize "
        "it and record a deploy for the environment (SENTRY_AUTH_TOKEN, SENTRY_ORG, "
        "SENTRY_PROJECT, SENTRY_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--release", help="Release name (default: the one this app reports, SENTRY.release)."
        )
        parser.add_argument(
            "--environment", help="Deploy environment (default: SENTRY_ENVIRONMENT)."
        )
        parser.add_argument(
            "--commits",
            choices=("local", "auto"),
            default="local",
            help="local: from this checkout's git history (no repository integration needed); "
            "auto: from the repository integration configured in Sentry.",
        )

    def handle(self, *args, release=None, environment=None, commits="local", **options):
        with exit_on_config_error():
            config = SentryApiConfig.from_env(os.environ)
        release = release or settings.SENTRY.release
        environment = environment or settings.SENTRY.environment
        cli = sentry_cli_path()
        env = {
            **os.environ,
            "SENTRY_AUTH_TOKEN": config.token,
            "SENTRY_ORG": config.org,
            "SENTRY_PROJECT": config.project,
            "SENTRY_URL": config.url,
            "SENTRY_DISABLE_UPDATE_CHECK": "1",  # no call to GitHub from a deploy
            "SENTRY_LOAD_DOTENV": "0",
        }
        steps = [
            ["releases", "new", release],
            ["releases", "set-commits", release, f"--{commits}"],
            ["releases", "finalize", release],
            ["deploys", "new", "--release", release, "--env", environment],
        ]
        for step in steps:
            self._run(cli, step, env, config.token)
        self.stdout.write(f"Sentry release {release} finalized, deployed to {environment}")

    def _run(self, cli: str, step: list[str], env: dict[str, str], token: str) -> None:
        try:
            result = subprocess.run(
                [cli, *step],
                env=env,
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
                timeout=SENTRY_CLI_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CommandError(
                f"sentry-cli {step[0]} {step[1]} gave no answer in {SENTRY_CLI_TIMEOUT_SECONDS}s"
            ) from None
        output = (result.stdout + result.stderr).replace(token, "[redacted]")
        if result.returncode != 0:
            raise CommandError(
                f"sentry-cli {step[0]} {step[1]} failed (exit {result.returncode}): "
                f"{cli_failure(output)}"
            )
        for line in result.stdout.replace(token, "[redacted]").splitlines():
            if line.strip():
                self.stdout.write(line)
