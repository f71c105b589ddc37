"""A job's clinic context: a worker reading and writing one clinic's rows as a request would.

Workers connect as the owner, which bypasses row-level security. A job that works for one
clinic (a bulk export) opens that clinic's signed context and takes the API's role for its
transaction, as a request's token statement does (tenancy.request_context), so that the same
policies scope what it reads and writes: a bug in the job cannot reach another clinic's rows.
"""

from django.conf import settings
from django.db import connection


def open_clinic_context(clinic_id: object) -> None:
    """For the current transaction (call inside `transaction.atomic`): `clinic_id`'s context,
    then the API's role, which can no longer change it."""
    if not connection.in_atomic_block:
        raise RuntimeError("A clinic context lives in a transaction: open one first.")
    with connection.cursor() as cursor:
        # Signed while still the owner: the API role may not call the signature function.
        cursor.execute(
            "SELECT set_config('app.clinic_id', %s, true), "
            "set_config('app.clinic_sig', api_clinic_signature(%s::uuid), true)",
            [str(clinic_id), str(clinic_id)],
        )
        cursor.execute("SELECT set_config('role', %s, true)", [settings.DATABASE_APP_ROLE])
