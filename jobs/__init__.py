"""The job queue every app defers to: procrastinate in PostgreSQL (`jobs.periodic` for tasks
the workers defer on a schedule)."""
