"""The bulk export's jobs: one run per kick-off, and the hourly removal of expired files."""

from procrastinate.contrib.django import app

from fhir_export.runs import expire_exports, run_export
from jobs.periodic import periodic


@app.task(name="fhir_export.run")
def run(export_id: str) -> str:
    return run_export(export_id)


@periodic(name="fhir_export.expire", seconds=3600)
def expire(timestamp: int) -> int:
    """Files of exports past FHIR_EXPORT_HOURS removed (the cron's longest even period)."""
    return expire_exports()
