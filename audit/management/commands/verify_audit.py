"""Verify the audit trail: HMACs, seals and their signatures, the copies outside the database."""

from django.core.management.base import BaseCommand, CommandError

from audit.integrity import verify


class Command(BaseCommand):
    help = (
        "Verify the audit trail from the last seal found intact (--full: from the first): each "
        "event's HMAC, each seal's events, Merkle root, signature and link, the copies outside "
        "the database, and events left unsealed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--full", action="store_true", help="Re-read every seal, not only the new ones."
        )

    def handle(self, *args, **options) -> None:
        report = verify(full=options["full"])
        summary = (
            f"{report.seals} seals, {report.events} sealed events and {report.unsealed} "
            "unsealed events checked"
        )
        if not report.intact:
            for finding in report.findings[:50]:
                self.stderr.write(f"- {finding}")
            more = len(report.findings) - 50
            raise CommandError(
                f"Audit trail broken: {len(report.findings)} findings"
                f"{f' ({more} not shown)' if more > 0 else ''}; {summary}."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {summary}."))
