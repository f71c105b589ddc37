"""Jobs a dead worker left running are run again.

A worker killed mid-job (SIGKILL, an out-of-memory kill, a host lost) leaves its job `doing`
for ever, and with it the job's lock: every periodic task of the project takes its name as its
lock (jobs.periodic), so the audit sealer, the change feed's numbering or the webhooks' fan-out
would never run again. Workers beat every few seconds (procrastinate_workers); this pass, every
RECOVERY_SECONDS, puts back in the queue each job whose worker has not beaten for
STALLED_AFTER_SECONDS, as procrastinate's documentation recommends. It takes no lock of its own,
so that no dead worker can hold it up; two passes at once retry a job once (the second finds
it no longer `doing`).
"""

import logging

from procrastinate import exceptions
from procrastinate.contrib.django import app

from jobs.periodic import cron_every

logger = logging.getLogger(__name__)

RECOVERY_SECONDS = 10
# procrastinate's workers beat every 10 s and count a worker stalled after 30 s.
STALLED_AFTER_SECONDS = 30


@app.periodic(cron=cron_every(RECOVERY_SECONDS), periodic_id="jobs.recover_stalled")
@app.task(name="jobs.recover_stalled", queueing_lock="jobs.recover_stalled")
async def recover_stalled(timestamp: int) -> list[int]:
    """Retry the jobs of workers that stopped beating; their ids."""
    retried = []
    for job in await app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=STALLED_AFTER_SECONDS
    ):
        if job.id is None:
            continue
        try:
            await app.job_manager.retry_job(job)
        except exceptions.ConnectorException:
            continue  # another pass retried it first, or it finished meanwhile
        logger.warning("Job %s (%s) of a stopped worker is queued again.", job.id, job.task_name)
        retried.append(job.id)
    return retried
