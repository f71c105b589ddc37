"""EXPLAIN helpers: does a list endpoint's own SQL use the index built for it?

On a partitioned table the plan names each partition and its own index (PostgreSQL's name for
it, `audit_auditevent_y2026m12_clinic_id_id_idx`): each counts as the partitioned index it
belongs to, as the catalog says (pg_partition_root), and as nothing else."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

NAMED = re.compile(r"\b(?:using|on) (\w+)")


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


def _roots(names: set[str]) -> set[str]:
    """The relations and indexes named, each a partition's as the partitioned one it is part
    of."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(pg_partition_root(to_regclass(n))::text, n)"
            " FROM unnest(%s::text[]) AS n",
            [sorted(names)],
        )
        return {name for (name,) in cursor.fetchall()}


def uses_one_of(plan: str, indexes: set[str]) -> bool:
    """An index named (or Django's name for it, hash-suffixed, begins so), or a partition's."""
    named = set(NAMED.findall(plan))
    return any(name.startswith(index) for name in named | _roots(named) for index in indexes)


def unindexed(client, url: str, table: str, queries: list[tuple[dict, set[str]]]) -> list[str]:
    failures = []
    for params, indexes in queries:
        plan = plan_of_list_query(client, url, params, table)
        if f"Seq Scan on {table}" in plan or not uses_one_of(plan, indexes):
            failures.append(f"{params} should use {sorted(indexes)}:\n{plan}")
    return failures
