"""The audit table's upkeep by hand (what the job queue's daily task runs): next months'
partitions made, and those past AUDIT_RETENTION_MONTHS dropped when it is set."""

from django.core.management.base import BaseCommand

from audit.partitions import drop_expired_partitions, ensure_partitions


class Command(BaseCommand):
    help = (
        "Make the audit table's partitions of this month and the next ones; drop the months "
        "past AUDIT_RETENTION_MONTHS whose events are all sealed (unset: none is dropped)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--months-ahead", type=int, default=2, help="How many months ahead to make (2)."
        )

    def handle(self, *args, **options) -> None:
        made = ensure_partitions(months_ahead=options["months_ahead"])
        dropped = drop_expired_partitions()
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit partitions in place: {', '.join(made)}; "
                f"dropped: {', '.join(dropped) or 'none'}."
            )
        )
