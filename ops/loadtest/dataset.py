"""The load test's data set: clinics of synthetic patients with conditions, plans and visits,
and each clinic's calendar (an appointment type, its chiropractor's hours, appointments, the
reminders sent of them).

Rows are written set by set (`INSERT … SELECT generate_series`), a clinic batch per
transaction, two connections at once, without waiting for the disk at commit, and with
triggers off for those transactions (`session_replication_role = replica`): the per-row history
triggers would cost more than the rows themselves, and every reference is built to exist.
Synthetic rows therefore have no history versions. Identifiers are derived from (clinic,
patient number, kind), so that each table is filled on its own and a rerun adds only what is
missing.
"""

import hashlib
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from datetime import time as dt_time

from django.db import connection, transaction

from api.roles import Role
from billing.models import FeeScheduleEntry
from billing.visit_coding import frozen_coding
from clinics.models import Clinic, User
from clinics.services import login_name, staff_create
from ops.fees import TYPICAL_FEES
from reference.models import Exercise, Technique
from scheduling.models import AppointmentType, VisitKind, WorkingHours
from treatments.models import Visit

CLINICS = 20
PREFIX = "Load test clinic"
PASSWORD = "tidal-compass-4812"  # noqa: S105 - synthetic staff of a synthetic clinic
STAFF_ROLES = {"dr": Role.CHIROPRACTOR, "desk": Role.FRONT_DESK, "admin": Role.CLINIC_ADMIN}
# Visits per patient, the latest within the last weeks.
VISITS = 3


@dataclass(frozen=True)
class LoadClinic:
    clinic: Clinic
    doctor: User
    front_desk: User
    index: int
    admin: User


def clinics() -> list[LoadClinic]:
    """The load test's clinics and their staff, created once."""
    found = []
    for index in range(CLINICS):
        slug = f"load-{index:02d}"
        with transaction.atomic():
            clinic, created = Clinic.objects.get_or_create(
                slug=slug,
                defaults={"name": f"{PREFIX} {index:02d}", "time_zone": "America/Chicago"},
            )
            staff = {}
            for name, role in STAFF_ROLES.items():
                username = login_name(clinic, f"load.{name}")
                user = User.objects.filter(username=username).first()
                if user is None:
                    user = staff_create(
                        clinic=clinic, username=f"load.{name}", password=PASSWORD, role=role
                    )
                staff[name] = user
        found.append(LoadClinic(clinic, staff["dr"], staff["desk"], index, staff["admin"]))
    return found


# Syllables of synthetic family names: about 8,000 names, so that a name prefix finds a
# page of patients as it does in a real clinic.
SYLLABLES = "ka,lo,mi,ne,ro,sa,ti,vu,be,da,fo,gi,ha,ja,ku,le,mo,na,pe,ri"


def _uuid(kind: str) -> str:
    """The SQL of a row's id: stable for (clinic, patient number, kind[, k])."""
    return f"md5(%(clinic)s::text || ':' || n || ':{kind}')::uuid"


def _uuid_k(kind: str) -> str:
    return f"md5(%(clinic)s::text || ':' || n || ':{kind}:' || k)::uuid"


# One statement per table, over the patient numbers first..last of one clinic.
PATIENT_ID = _uuid("patient")
CONDITION_ID = _uuid("condition")
PLAN_ID = _uuid("plan")
VISIT_ID = _uuid_k("visit")
PLANNED_ADJUSTMENT_ID = _uuid_k("planned-adjustment")
PLANNED_SOFT_TISSUE_ID = _uuid("planned-soft-tissue")
PLANNED_EXERCISE_ID = _uuid("planned-exercise")
SERIES = "generate_series(%(first)s, %(last)s) AS n"
NAME = (
    f"initcap((string_to_array('{SYLLABLES}', ','))[1 + n %% 20] "
    f"|| (string_to_array('{SYLLABLES}', ','))[1 + (n / 20) %% 20] "
    f"|| (string_to_array('{SYLLABLES}', ','))[1 + (n / 400) %% 20])"
)
PHONE = "'+1617' || lpad(((n * 7907) %% 10000000)::text, 7, '0')"

STATEMENTS = {
    "patients": f"""
        INSERT INTO patients_patient (
          id, clinic_id, version, chart_number, given_name, family_name, preferred_name,
          date_of_birth, sex_at_birth, gender_identity, phone, email, address_line1, address_line2,
          city, region, postal_code, country, emergency_contact_name, emergency_contact_relationship,
          emergency_contact_phone, preferred_contact_method, occupation, activity_level, status,
          last_visit_at, created_at, updated_at, given_name_key, family_name_key,
          phone_digits_reversed)
        SELECT {PATIENT_ID}, %(clinic)s, 1, 'L' || lpad(n::text, 9, '0'),
          'Given' || (n %% 997), {NAME}, '', date '1940-01-01' + (n * 7919) %% 29000,
          (ARRAY['female', 'male'])[1 + n %% 2], '', {PHONE}, 'patient' || n || '@example.com',
          n || ' Harbor Street', '', 'Boston', 'MA', '02110', 'US', '', '', '', 'sms', '',
          'desk_work', CASE WHEN n %% 10 = 0 THEN 'inactive' ELSE 'active' END,
          now() - (n %% 60) * interval '1 day', now() - interval '400 days', now(),
          'given' || (n %% 997), lower({NAME}), reverse('1617' || lpad(((n * 7907) %% 10000000)::text, 7, '0'))
        FROM {SERIES}
        ON CONFLICT DO NOTHING""",
    "conditions": f"""
        INSERT INTO patients_condition (
          id, clinic_id, version, patient_id, code, display, body_region, laterality, onset_date,
          cause, pain_at_intake, clinical_status, verification_status, note, recorded_by_id,
          created_at, updated_at)
        SELECT {CONDITION_ID}, %(clinic)s, 1, {PATIENT_ID},
          (ARRAY['M54.2', 'M54.50', 'M62.830', 'M99.01', 'M99.03'])[1 + n %% 5],
          (ARRAY['Cervicalgia', 'Low back pain, unspecified', 'Muscle spasm of back',
                 'Segmental and somatic dysfunction of cervical region',
                 'Segmental and somatic dysfunction of lumbar region'])[1 + n %% 5],
          (ARRAY['cervical', 'lumbar', 'lumbar', 'cervical', 'lumbar'])[1 + n %% 5], '',
          current_date - 90, 'unknown', 6, 'active', 'confirmed', '', %(doctor)s,
          now() - interval '90 days', now()
        FROM {SERIES}
        ON CONFLICT DO NOTHING""",
    "plans": f"""
        INSERT INTO treatments_treatmentplan (
          id, clinic_id, version, patient_id, chiropractor_id, phase, status, status_changed_at,
          start_date, visits_per_week, weeks, frequency, reexam_interval_days,
          reexam_interval_visits, notes, created_by_id, created_at, updated_at)
        SELECT {PLAN_ID}, %(clinic)s, 1, {PATIENT_ID}, %(doctor)s, 'relief', 'active',
          now() - interval '30 days', current_date - 30, 3, 6,
          '[{{"visits_per_week": 3, "weeks": 6}}]', 30, 12, '', %(doctor)s,
          now() - interval '30 days', now()
        FROM {SERIES}
        ON CONFLICT DO NOTHING""",
    "plan conditions": f"""
        INSERT INTO treatments_plancondition (clinic_id, plan_id, condition_id, plan_is_active)
        SELECT %(clinic)s, {PLAN_ID}, {CONDITION_ID}, true
        FROM {SERIES}
        WHERE NOT EXISTS (SELECT FROM treatments_plancondition c
                          WHERE c.condition_id = {CONDITION_ID})""",
    "goals": f"""
        INSERT INTO treatments_goal (
          id, clinic_id, version, plan_id, position, created_at, updated_at, description, measure,
          comparator, target_value, target_date, status)
        SELECT {_uuid("goal")}, %(clinic)s, 1, {PLAN_ID}, 0, now(), now(),
          'Pain at most 2/10 at work', 'nrs_pain', '<=', 2, current_date + 30, 'in-progress'
        FROM {SERIES}
        ON CONFLICT DO NOTHING""",
    "planned adjustments": f"""
        INSERT INTO treatments_plannedadjustment (
          id, clinic_id, version, plan_id, position, created_at, updated_at, segment_id,
          listing_id, technique_id, laterality, notes)
        SELECT {PLANNED_ADJUSTMENT_ID}, %(clinic)s, 1, {PLAN_ID}, k, now(), now(),
          (ARRAY['C5', 'L4'])[k + 1], NULL, %(technique)s, '', ''
        FROM {SERIES}, generate_series(0, 1) AS k
        ON CONFLICT DO NOTHING""",
    "planned soft tissue": f"""
        INSERT INTO treatments_plannedsofttissue (
          id, clinic_id, version, plan_id, position, created_at, updated_at, modality_id, muscles,
          laterality, minutes, notes)
        SELECT {PLANNED_SOFT_TISSUE_ID}, %(clinic)s, 1, {PLAN_ID}, 0, now(), now(),
          'swedish_massage', ARRAY['upper_trapezius'], 'bilateral', 10, ''
        FROM {SERIES}
        ON CONFLICT DO NOTHING""",
    "planned exercises": f"""
        INSERT INTO treatments_plannedexercise (
          id, clinic_id, version, plan_id, position, created_at, updated_at, exercise_id, sets,
          repetitions, hold_seconds, times_per_day, days_per_week, laterality, instructions)
        SELECT {PLANNED_EXERCISE_ID}, %(clinic)s, 1, {PLAN_ID}, 0, now(), now(), %(exercise)s,
          2, 10, 5, 2, 7, '', ''
        FROM {SERIES}
        ON CONFLICT DO NOTHING""",
    "visits": f"""
        INSERT INTO treatments_visit (
          id, clinic_id, version, patient_id, chiropractor_id, plan_id, visit_at,
          is_reexamination, pain_before, pain_after, subjective, objective, assessment, plan_note,
          adherence, status, signed_by_id, signed_at, signed_coding, created_by_id, created_at,
          updated_at)
        SELECT {VISIT_ID}, %(clinic)s, 1, {PATIENT_ID}, %(doctor)s, {PLAN_ID},
          now() - ((n %% 60) + 7 * (k - 1)) * interval '1 day' - (n %% 480) * interval '1 minute',
          false, 7 - k, 5 - k, 'Neck stiff after work.', 'C5 tender, rotation limited.',
          'Improving.', 'Continue plan.', 'partial', 'signed', %(doctor)s, now(),
          (%(codings)s::jsonb[])[1 + n %% 5], %(doctor)s, now(), now()
        FROM {SERIES}, generate_series(1, {VISITS}) AS k
        ON CONFLICT DO NOTHING""",
    "performed adjustments": f"""
        INSERT INTO treatments_performedadjustment (
          id, clinic_id, visit_id, position, planned_item_id, segment_id, listing_id, technique_id,
          laterality)
        SELECT md5(%(clinic)s::text || ':' || n || ':performed-adjustment:' || k || ':' || j)::uuid,
          %(clinic)s, {VISIT_ID}, j,
          md5(%(clinic)s::text || ':' || n || ':planned-adjustment:' || j)::uuid,
          (ARRAY['C5', 'L4'])[j + 1], NULL, %(technique)s, ''
        FROM {SERIES}, generate_series(1, {VISITS}) AS k, generate_series(0, 1) AS j
        ON CONFLICT DO NOTHING""",
    "performed soft tissue": f"""
        INSERT INTO treatments_performedsofttissue (
          id, clinic_id, visit_id, position, planned_item_id, modality_id, muscles, laterality,
          minutes, body_region)
        SELECT {_uuid_k("performed-soft-tissue")}, %(clinic)s, {VISIT_ID}, 0,
          {PLANNED_SOFT_TISSUE_ID}, 'swedish_massage', ARRAY['upper_trapezius'], 'bilateral', 10,
          ''
        FROM {SERIES}, generate_series(1, {VISITS}) AS k
        ON CONFLICT DO NOTHING""",
    # Who pays: Medicare for every other patient, a commercial insurer or the patient.
    "coverages": f"""
        INSERT INTO billing_coverage (
          id, clinic_id, version, patient_id, payer_name, payer_type, payer_id, member_id,
          group_number, subscriber_relationship, subscriber_name, subscriber_birth_date,
          priority, starts_on, ends_on, archived_at, created_at, updated_at)
        SELECT {_uuid("coverage")}, %(clinic)s, 1, {PATIENT_ID},
          (ARRAY['Medicare Part B', 'Blue Harbor Health', 'Medicare Part B', 'Self-pay'])[1 + n %% 4],
          (ARRAY['medicare', 'commercial', 'medicare', 'self_pay'])[1 + n %% 4], '',
          CASE WHEN n %% 4 = 3 THEN '' ELSE 'M' || lpad(n::text, 9, '0') END, '', 'self', '',
          NULL, 'primary', date '2024-01-01', NULL, NULL, now(), now()
        FROM {SERIES}
        ON CONFLICT DO NOTHING""",
    # A Medicare supplement behind every other Medicare patient's Medicare: the crossover claim.
    "secondary coverages": f"""
        INSERT INTO billing_coverage (
          id, clinic_id, version, patient_id, payer_name, payer_type, payer_id, member_id,
          group_number, subscriber_relationship, subscriber_name, subscriber_birth_date,
          priority, starts_on, ends_on, archived_at, created_at, updated_at)
        SELECT {_uuid("secondary-coverage")}, %(clinic)s, 1, {PATIENT_ID},
          'Plan G Medicare Supplement', 'commercial', '87726', 'MS' || lpad(n::text, 9, '0'), '',
          'self', '', NULL, 'secondary', date '2024-01-01', NULL, NULL, now(), now()
        FROM {SERIES}
        WHERE n %% 4 = 0
        ON CONFLICT DO NOTHING""",
}


CONDITION_VARIANTS = 5  # the condition codes above, by patient number
FILL_CODINGS = f"""
    UPDATE treatments_visit SET signed_coding = (%(codings)s::jsonb[])[1 + n %% 5]
    FROM {SERIES}
    WHERE id IN (SELECT {VISIT_ID} FROM generate_series(1, {VISITS}) AS k)
      AND signed_coding IS NULL"""


# Every APPOINTMENT_EVERY-th patient has an appointment with the clinic's chiropractor: 32 a
# day, every 15 minutes from 09:00, on consecutive days from 30 days ago (a full calendar).
APPOINTMENT_EVERY = 25
APPOINTMENTS_A_DAY = 32
APPOINTMENTS = f"""
    INSERT INTO scheduling_appointment (
      id, clinic_id, version, patient_id, chiropractor_id, appointment_type_id, plan_id,
      start_at, end_at, buffer_after_minutes, status, status_changed_at, desk_notes,
      booked_by_override, cancellation_reason, cancellation_note, times_moved, booked_by_id,
      created_at, updated_at)
    SELECT md5(%(clinic)s::text || ':' || s || ':appointment')::uuid, %(clinic)s, 1,
      md5(%(clinic)s::text || ':' || s * {APPOINTMENT_EVERY} || ':patient')::uuid, %(doctor)s,
      %(type)s, md5(%(clinic)s::text || ':' || s * {APPOINTMENT_EVERY} || ':plan')::uuid,
      starts, starts + interval '15 minutes', 0, 'booked', now(), '', false, '', '', 0,
      %(desk)s, now(), now()
    FROM generate_series(1, %(count)s) AS s,
      LATERAL (SELECT ((current_date - 30 + s / {APPOINTMENTS_A_DAY}) + time '09:00'
        + (s %% {APPOINTMENTS_A_DAY}) * interval '15 minutes') AT TIME ZONE %(zone)s AS starts) t
    ON CONFLICT DO NOTHING"""


# Each appointment that has started or starts within a day was reminded a day before it.
REMINDERS = """
    INSERT INTO reminders_appointmentreminder (
      id, clinic_id, appointment_id, patient_id, hours_before, start_at, channel, recipient,
      status, reason, error, attempts, message_id, created_at, sent_at, updated_at)
    SELECT md5(a.id::text || ':reminder')::uuid, a.clinic_id, a.id, a.patient_id, 24,
      a.start_at, 'email', p.email, 'sent', '', '', 1, '', a.start_at - interval '24 hours',
      a.start_at - interval '24 hours', a.start_at - interval '24 hours'
    FROM scheduling_appointment a JOIN patients_patient p ON p.id = a.patient_id
    WHERE a.clinic_id = %(clinic)s AND a.start_at < now() + interval '24 hours'
    ON CONFLICT DO NOTHING"""


def fill_calendars(load_clinics: list[LoadClinic], per_clinic: int) -> None:
    """Each clinic's appointment type, its chiropractor's hours (every day, 08:00–18:00) and
    appointments; what exists is kept."""
    for load in load_clinics:
        if patients_of(load.clinic) < per_clinic:
            continue
        appointment_type, _ = AppointmentType.objects.update_or_create(
            clinic=load.clinic,
            name="Adjustment visit",
            defaults={"duration_minutes": 15, "default_for": VisitKind.REGULAR_VISIT},
        )
        for weekday in range(7):
            WorkingHours.objects.get_or_create(
                clinic=load.clinic,
                chiropractor=load.doctor,
                weekday=weekday,
                defaults={"start_time": dt_time(8), "end_time": dt_time(18)},
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                APPOINTMENTS,
                {
                    "clinic": str(load.clinic.pk),
                    "doctor": str(load.doctor.pk),
                    "desk": str(load.front_desk.pk),
                    "type": str(appointment_type.pk),
                    "zone": load.clinic.time_zone,
                    "count": per_clinic // APPOINTMENT_EVERY,
                },
            )
            cursor.execute(REMINDERS, {"clinic": str(load.clinic.pk)})


def fill_fees(load_clinics: list[LoadClinic]) -> None:
    for load in load_clinics:
        for cpt, charge in TYPICAL_FEES.items():
            FeeScheduleEntry.objects.get_or_create(
                clinic=load.clinic,
                cpt=cpt,
                modifier="",
                effective_from=date(2024, 1, 1),
                defaults={"charge": charge},
            )


def patients_of(clinic: Clinic) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM patients_patient WHERE clinic_id = %s", [clinic.pk])
        count: int = cursor.fetchone()[0]
    return count


def _parameters(load: LoadClinic, first: int, last: int, codings: list) -> dict:
    return {
        "clinic": str(load.clinic.pk),
        "doctor": str(load.doctor.pk),
        "technique": str(Technique.objects.get(code="diversified", clinic=None).pk),
        "exercise": str(Exercise.objects.get(code="chin_tuck", clinic=None).pk),
        "codings": codings,
        "first": first,
        "last": last,
    }


def _insert(load: LoadClinic, first: int, last: int, codings: list) -> None:
    parameters = _parameters(load, first, last, codings)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        # Synthetic rows: a crash loses at most the last batches, which a rerun writes again.
        cursor.execute("SET LOCAL synchronous_commit = off")
        for statement in STATEMENTS.values():
            cursor.execute(statement, parameters)


def _patient_id(clinic_id: object, n: int) -> uuid.UUID:
    return uuid.UUID(hashlib.md5(f"{clinic_id}:{n}:patient".encode()).hexdigest())  # noqa: S324


def signed_codings(load: LoadClinic) -> list[str]:
    """The coding frozen at signing for each variant of synthetic visit, as the API's own
    signing derives it (a signed visit is answered from it): derived from the first few
    patients, written without it, which then get it too."""
    if patients_of(load.clinic) < CONDITION_VARIANTS:
        _insert(load, 1, CONDITION_VARIANTS, [None] * CONDITION_VARIANTS)
    codings = []
    for n in range(CONDITION_VARIANTS):  # patient n + 1 has variant (n + 1) % 5
        patient = _patient_id(load.clinic.pk, n or CONDITION_VARIANTS)
        visit = (
            Visit.objects.filter(clinic=load.clinic, patient_id=patient)
            .order_by("visit_at")
            .first()
        )
        if visit is None:
            raise LookupError(f"Patient {patient} of the first patients has no visit.")
        document = visit.signed_coding or frozen_coding(visit)
        codings.append(json.dumps(document))
    with connection.cursor() as cursor:
        cursor.execute(FILL_CODINGS, _parameters(load, 1, CONDITION_VARIANTS, codings))
    return codings


# The tables the statements above write.
TABLES = [
    "patients_patient",
    "patients_condition",
    "treatments_treatmentplan",
    "treatments_plancondition",
    "treatments_goal",
    "treatments_plannedadjustment",
    "treatments_plannedsofttissue",
    "treatments_plannedexercise",
    "treatments_visit",
    "treatments_performedadjustment",
    "treatments_performedsofttissue",
    "billing_coverage",
]
# Their indexes other than primary keys and constraints'.
PLAIN_INDEXES = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
    WHERE t.relname = ANY(%s) AND NOT i.indisprimary
      AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""


# Indexes dropped for a fill into empty tables, kept until rebuilt: a fill that is stopped
# half-way leaves them here, and the next one builds them first.
DROPPED_INDEXES = "loadtest_dropped_index"


def fill(
    load_clinics: list[LoadClinic], patients: int, *, say=print, batch: int = 25_000, jobs: int = 2
) -> None:
    """Bring the clinics to `patients` patients in all (shared evenly), with their records,
    `jobs` connections adding batches of one clinic each at once.

    Into empty tables, the indexes are dropped first and built after the rows, `jobs` at
    once (sorting once is far cheaper than keeping them up to date row by row)."""
    _build_dropped_indexes(say, jobs)
    per_clinic = -(-patients // len(load_clinics))
    fill_calendars(load_clinics, per_clinic)
    fill_fees(load_clinics)
    codings = signed_codings(load_clinics[0])
    batches = [
        (load, first, min(first + batch - 1, per_clinic))
        for load in load_clinics
        for first in range(patients_of(load.clinic) + 1, per_clinic + 1, batch)
    ]
    if not batches:
        return
    started = time.perf_counter()
    if _holds_only_the_first_patients():
        _drop_indexes()
    _fill(batches, codings, say, started, jobs)
    _build_dropped_indexes(say, jobs)
    fill_calendars(load_clinics, per_clinic)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    added = sum(last - first + 1 for _, first, last in batches)
    say(f"Added {added:,} patients in {time.perf_counter() - started:.0f} s.")


def _holds_only_the_first_patients() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM (SELECT FROM patients_patient LIMIT 100) AS p")
        count: int = cursor.fetchone()[0]
    return count <= CONDITION_VARIANTS


def _drop_indexes() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {DROPPED_INDEXES} "
            "(name text PRIMARY KEY, definition text NOT NULL)"
        )
        cursor.execute(PLAIN_INDEXES, [TABLES])
        for name, definition in cursor.fetchall():
            cursor.execute(f"INSERT INTO {DROPPED_INDEXES} VALUES (%s, %s)", [name, definition])
            cursor.execute(f"DROP INDEX {name}")


def _build_dropped_indexes(say, jobs: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [DROPPED_INDEXES])
        if not cursor.fetchone()[0]:
            return
        cursor.execute(f"SELECT name, definition FROM {DROPPED_INDEXES}")
        dropped = cursor.fetchall()
    if not dropped:
        return
    say(f"  building {len(dropped)} indexes…")

    def build(index: tuple[str, str]) -> None:
        name, definition = index
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(definition)
                cursor.execute(f"DELETE FROM {DROPPED_INDEXES} WHERE name = %s", [name])
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(build, dropped))


def _fill(batches: list, codings: list, say, started: float, jobs: int) -> None:
    def insert(work: tuple[LoadClinic, int, int]) -> int:
        load, first, last = work
        try:
            _insert(load, first, last, codings)
        finally:
            connection.close()  # this thread's own connection
        return last - first + 1

    added = 0
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for count in pool.map(insert, batches):
            added += count
            say(f"  {added:,} patients added ({time.perf_counter() - started:.0f} s)")
