"""Forget the answers kept for Idempotency-Key retries once their keys have expired."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from idempotency.models import IdempotentRequest


class Command(BaseCommand):
    help = "Delete the stored answers of Idempotency-Keys older than IDEMPOTENCY_KEY_HOURS."

    def handle(self, *args, **options) -> None:
        cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
        count, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Purged {count} expired idempotency keys.")
