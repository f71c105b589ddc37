"""No double-booking, enforced by PostgreSQL: two appointments of one chiropractor that hold
their time (booked, arrived, completed) never overlap.

An exclusion constraint would need btree_gist, which the embedded server does not ship. The
trigger takes a transaction-level advisory lock on the chiropractor (the lock
scheduling.services takes before its own checks), so concurrent bookings queue, and each one
then sees the others' committed rows (a new snapshot per statement under READ COMMITTED).
"""

from django.db import migrations

REFUSE_OVERLAP = """
CREATE FUNCTION scheduling_refuse_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status NOT IN ('booked', 'arrived', 'completed') THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(
        hashtextextended('scheduling:' || NEW.chiropractor_id::text, 0)
    );
    IF EXISTS (
        SELECT 1 FROM scheduling_appointment a
        WHERE a.clinic_id = NEW.clinic_id
          AND a.chiropractor_id = NEW.chiropractor_id
          AND a.id <> NEW.id
          AND a.status IN ('booked', 'arrived', 'completed')
          AND a.start_at < NEW.end_at
          AND a.start_at > NEW.start_at - interval '1 day'
          AND a.end_at > NEW.start_at
    ) THEN
        RAISE EXCEPTION 'The chiropractor already has an appointment at that time.'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'appointment_no_overlap';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER appointment_no_overlap
    BEFORE INSERT OR UPDATE OF start_at, end_at, chiropractor_id, status
    ON scheduling_appointment
    FOR EACH ROW EXECUTE FUNCTION scheduling_refuse_overlap();
"""

DROP = """
DROP TRIGGER appointment_no_overlap ON scheduling_appointment;
DROP FUNCTION scheduling_refuse_overlap();
"""


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunSQL(REFUSE_OVERLAP, DROP)]
