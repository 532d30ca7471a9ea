"""``manage.py metrics_snapshot``: write a snapshot of the metrics registry and prune old ones.

For cron, e.g. every 5 minutes. Under gunicorn the workers' metrics are files in
``PROMETHEUS_MULTIPROC_DIR``: run the command with the server's value so that it reads them.
Without that directory this process's registry would be its own, empty one, so only pruning is
done (snapshots then come from the dashboard's views in the serving processes).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from monitoring.metrics.registry import multiprocess_dir
from monitoring.services import metrics_snapshot_prune, metrics_snapshot_take


class Command(BaseCommand):
    help = "Snapshot the metrics registry for the admin dashboard and prune old snapshots."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--prune-only", action="store_true", help="Only delete snapshots past the retention."
        )

    def handle(self, *args, prune_only: bool = False, **options) -> None:
        if prune_only:
            pass
        elif multiprocess_dir() is None:
            self.stdout.write(
                "No snapshot: PROMETHEUS_MULTIPROC_DIR is not set to the server's metrics "
                "directory, so this process cannot see the server's metrics."
            )
        else:
            snapshot = metrics_snapshot_take()
            self.stdout.write(f"Snapshot of {snapshot.source} written.")
        deleted = metrics_snapshot_prune()
        self.stdout.write(f"{deleted} snapshot(s) past the retention deleted.")
