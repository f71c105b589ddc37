"""One pass of the sealer by hand (what the job queue's periodic task runs every second)."""

from django.core.management.base import BaseCommand

from audit.sealing import seal_all


class Command(BaseCommand):
    help = "Number and seal every clinic's unsealed audit events in signed batches, once."

    def handle(self, *args, **options) -> None:
        sealed = seal_all()
        self.stdout.write(self.style.SUCCESS(f"Sealed {sealed} audit events."))
