"""How a request is tied to its clinic: the request context, the clinic-scoped models,
row-level security and the PostgreSQL backend that carries the context with each statement."""
