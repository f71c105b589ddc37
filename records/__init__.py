"""The viewsets every clinic record is served by (records.viewsets)."""
