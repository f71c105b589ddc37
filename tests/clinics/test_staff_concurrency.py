"""Two clinic admins demoting each other at the same moment must not leave the clinic without one."""

import threading

import pytest
from django.db import connection

from api.roles import Role
from clinics.models import User
from tests.conftest import FLUSHABLE_APPS, client_for
from tests.factories import ClinicFactory, UserFactory


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_simultaneous_demotions_keep_one_clinic_admin():
    clinic = ClinicFactory()
    first, second = UserFactory.create_batch(2, clinic=clinic, role=Role.CLINIC_ADMIN)
    clients = [client_for(first), client_for(second)]
    barrier = threading.Barrier(2)
    statuses = []

    def demote(client, other) -> None:
        barrier.wait()
        try:
            statuses.append(
                client.patch(f"/api/v1/staff/{other.id}/", {"role": "front_desk"}).status_code
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(clients[0], second)),
        threading.Thread(target=demote, args=(clients[1], first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # The loser is refused: 409 if it passed the role check before the winner committed,
    # 403 if it was already demoted by then.
    assert statuses.count(200) == 1
    assert set(statuses) - {200} <= {403, 409}
    assert User.objects.filter(clinic=clinic, role=Role.CLINIC_ADMIN, is_active=True).count() == 1
