from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from knox.models import AuthToken


@pytest.mark.django_db
def test_expired_tokens_are_purged_and_live_ones_kept(chiropractor):
    idle, _ = AuthToken.objects.create(chiropractor)
    too_old, _ = AuthToken.objects.create(chiropractor)
    live, _ = AuthToken.objects.create(chiropractor)
    now = timezone.now()
    AuthToken.objects.filter(pk=idle.pk).update(expiry=now - timedelta(minutes=1))
    AuthToken.objects.filter(pk=too_old.pk).update(
        created=now - settings.REST_KNOX["AUTO_REFRESH_MAX_TTL"] - timedelta(minutes=1)
    )

    call_command("purge_expired_tokens")

    assert list(AuthToken.objects.values_list("pk", flat=True)) == [live.pk]
