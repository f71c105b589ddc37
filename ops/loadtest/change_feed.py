"""The change feed in the load test: its triggers off while the data set is seeded (the seeded
rows stand for records older than the feed keeps) and while the write cost's twin runs, and a
page of events to read."""

from collections.abc import Iterator
from contextlib import contextmanager

import pgtrigger
from django.db import connection

from changes.models import FeedHorizon
from changes.numbering import number_all
from changes.tracking import trigger_uris
from ops.loadtest.dataset import LoadClinic


@contextmanager
def triggers_off() -> Iterator[None]:
    """The feed's triggers disabled for the block (DDL: between runs only)."""
    pgtrigger.disable(*trigger_uris())
    try:
        yield
    finally:
        pgtrigger.enable(*trigger_uris())


# Real changes (the occupation rewritten, the version moved as a save would) of the clinic's
# first patients: each is one `patient.updated` event.
TOUCH = """
UPDATE patients_patient SET occupation = 'Load test ' || (version + 1), version = version + 1
 WHERE id IN (SELECT id FROM patients_patient WHERE clinic_id = %s
               ORDER BY chart_number LIMIT %s)
"""


def cursor_a_page_before_the_end(load: LoadClinic, page: int) -> int:
    """A cursor `page` events before the clinic's feed ends, once numbered (the worker's pass,
    which the load test runs itself); the clinic's patients touched first if its feed is
    shorter."""
    horizon = FeedHorizon.objects.filter(clinic=load.clinic).first()
    if horizon is None or horizon.last_seq < page:
        with connection.cursor() as cursor:
            cursor.execute(TOUCH, [load.clinic.pk, page])
    number_all()
    horizon = FeedHorizon.objects.get(clinic=load.clinic)
    return horizon.last_seq - page
