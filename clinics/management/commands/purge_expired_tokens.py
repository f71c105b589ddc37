"""Delete bearer tokens past their expiry: `manage.py purge_expired_tokens` (run it daily)."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings


class Command(BaseCommand):
    help = "Delete expired bearer tokens (idle expiry passed, or absolute lifetime over)."

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        expired = AuthToken.objects.filter(expiry__lt=now)
        lifetime = knox_settings.AUTO_REFRESH_MAX_TTL
        if lifetime is not None:
            expired = expired | AuthToken.objects.filter(created__lte=now - lifetime)
        count, _ = expired.delete()
        self.stdout.write(f"Deleted {count} expired token(s).")
