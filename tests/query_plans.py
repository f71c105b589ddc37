"""EXPLAIN helpers: does a list endpoint's own SQL use the index built for it?"""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def plan_of_list_query(client, url: str, params: dict, table: str) -> str:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    sql = next(q["sql"] for q in captured.captured_queries if f'FROM "{table}"' in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


def uses_one_of(plan: str, indexes: set[str]) -> bool:
    return any(f"using {index}" in plan or f"on {index}" in plan for index in indexes)


def unindexed(client, url: str, table: str, queries: list[tuple[dict, set[str]]]) -> list[str]:
    failures = []
    for params, indexes in queries:
        plan = plan_of_list_query(client, url, params, table)
        if f"Seq Scan on {table}" in plan or not uses_one_of(plan, indexes):
            failures.append(f"{params} should use {sorted(indexes)}:\n{plan}")
    return failures
