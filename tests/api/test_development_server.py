"""`make run`'s server works for hours: it does not keep a database connection per thread."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection
from knox.models import AuthToken

from tests.conftest import FLUSHABLE_APPS

pytestmark = pytest.mark.system  # `make run`'s server


def api_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND usename = %s",
            ["chiro_api"],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_the_development_server_keeps_no_connection_per_thread(start_server, chiropractor):
    base = start_server(development=True)
    _, token = AuthToken.objects.create(chiropractor)
    before = api_connections()

    def read(_: int) -> int:
        answer = requests.get(
            f"{base}/api/v1/patients/", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        return answer.status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(read, range(300)))

    assert set(codes) == {200}
    assert api_connections() <= before + 1
