"""Check the audit trail's HMACs and hash chains and name the first event where one breaks."""

from django.core.management.base import BaseCommand, CommandError

from audit.integrity import event_count, first_break, first_unsigned


class Command(BaseCommand):
    help = "Verify the audit trail: every event's HMAC and hash, its chain, and the chain heads."

    def handle(self, *args, **options) -> None:
        broken = first_break() or first_unsigned()
        if broken is not None:
            where = f"event {broken.event_id}" if broken.event_id else "the end of a chain"
            raise CommandError(
                f"Audit trail broken at {where} (clinic {broken.clinic_id or 'none'}, "
                f"seq {broken.seq}): {broken.reason}."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {event_count()} events."))
