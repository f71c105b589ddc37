"""Speed check at scale: `manage.py benchmark --patients 1000000`.

Fills benchmark clinics with synthetic patients, conditions, plans and visits (once; later
runs reuse them), then times the list and search endpoints the front desk and chiropractors
use most, in-process through the full Django/DRF stack, and reports p50/p95 latency and query
counts against a budget. Exits non-zero when a p95 is over budget.
"""

import gc
import statistics
import time
import uuid

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from api.roles import Role
from clinics.models import Clinic, User
from clinics.services import login_name, staff_create

CLINICS = 20
PREFIX = "Benchmark clinic"
PASSWORD = "tidal-compass-4812"


class Command(BaseCommand):
    help = "Load synthetic data at scale (once) and time the busiest endpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--patients", type=int, default=200_000, help="Patients in all (default 200000)."
        )
        parser.add_argument(
            "--runs", type=int, default=30, help="Timed requests per endpoint (default 30)."
        )
        parser.add_argument(
            "--budget-ms", type=float, default=150.0, help="p95 budget per request (default 150)."
        )

    def handle(self, *args, patients: int, runs: int, budget_ms: float, **options) -> None:
        clinics = self._clinics()
        self._fill(clinics, patients)
        doctor = User.objects.get(username=login_name(clinics[0], "bench.dr.0"))
        _, token = AuthToken.objects.create(doctor)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="localhost")
        with connection.cursor() as cursor:
            # A patient from the middle of the first clinic: a realistic, not a lucky, lookup.
            cursor.execute(
                "SELECT family_name_key, phone_digits_reversed, chart_number, date_of_birth, id "
                "FROM patients_patient WHERE clinic_id = %s ORDER BY chart_number LIMIT 1 "
                "OFFSET (SELECT count(*) / 2 FROM patients_patient WHERE clinic_id = %s)",
                [clinics[0].pk, clinics[0].pk],
            )
            family, phone, chart, born, patient_id = cursor.fetchone()
        checks = {
            "patients, default list": ("/api/v1/patients/", {}),
            "patients, name prefix": ("/api/v1/patients/", {"name": family[:9]}),
            "patients, phone ending": ("/api/v1/patients/", {"phone": phone[:7][::-1]}),
            "patients, chart number": ("/api/v1/patients/", {"chart_number": chart}),
            "patients, date of birth": ("/api/v1/patients/", {"date_of_birth": born.isoformat()}),
            "patients, by last visit": ("/api/v1/patients/", {"ordering": "-last_visit_at"}),
            "patient, one": (f"/api/v1/patients/{patient_id}/", {}),
            "patient, history": (f"/api/v1/patients/{patient_id}/history/", {}),
            "patient, access log": (f"/api/v1/patients/{patient_id}/access-log/", {}),
            "conditions, by code": ("/api/v1/conditions/", {"code": "M99.0"}),
            "plans, of a patient": ("/api/v1/treatment-plans/", {"patient": str(patient_id)}),
            "visits, latest": ("/api/v1/visits/", {}),
            "visits, of a patient": ("/api/v1/visits/", {"patient": str(patient_id)}),
        }
        failures = []
        self.stdout.write(f"{'endpoint':<28}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
        for name, (url, params) in checks.items():
            timings, queries = [], 0
            client.get(url, params)  # warm-up: time steady-state requests, not a cold cache
            gc.collect()
            for _ in range(runs):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.get(url, params)
                    timings.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{name}: {response.status_code} {response.content[:200]!r}")
                queries = len(captured)
            p50 = statistics.median(timings)
            p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]
            self.stdout.write(f"{name:<28}{p50:>9.1f}{p95:>9.1f}{queries:>9}")
            if p95 > budget_ms:
                failures.append(name)
        total = connection.cursor()
        total.execute("SELECT count(*) FROM patients_patient")
        self.stdout.write(
            f"\n{total.fetchone()[0]} patients in the database; budget p95 {budget_ms} ms."
        )
        if failures:
            raise CommandError(f"Over budget: {', '.join(failures)}")

    def _clinics(self) -> list[Clinic]:
        clinics = list(Clinic.objects.filter(name__startswith=PREFIX).order_by("name"))
        if len(clinics) == CLINICS:
            return clinics
        with transaction.atomic():
            for n in range(len(clinics), CLINICS):
                clinic = Clinic.objects.create(
                    name=f"{PREFIX} {n:02d}", slug=f"bench-{n:02d}", time_zone="America/Chicago"
                )
                staff_create(
                    clinic=clinic,
                    username=f"bench.dr.{n}",
                    password=PASSWORD,
                    role=Role.CHIROPRACTOR,
                )
        return list(Clinic.objects.filter(name__startswith=PREFIX).order_by("name"))

    def _fill(self, clinics: list[Clinic], patients: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM patients_patient WHERE clinic_id = ANY(%s)",
                [[c.pk for c in clinics]],
            )
            have = cursor.fetchone()[0]
            missing = patients - have
            if missing <= 0:
                return
            self.stdout.write(
                f"Loading {missing} synthetic patients with conditions, plans and visits…"
            )
            started = time.perf_counter()
            doctors = {c.pk: User.objects.get(clinic=c).pk for c in clinics}
            batch = 50_000
            for offset in range(have, patients, batch):
                size = min(batch, patients - offset)
                for index, clinic in enumerate(clinics):
                    share = size // len(clinics) + (1 if index < size % len(clinics) else 0)
                    self._insert(cursor, clinic.pk, doctors[clinic.pk], offset, share)
            cursor.execute("ANALYZE")
            self.stdout.write(f"Loaded in {time.perf_counter() - started:.0f} s.")

    def _insert(
        self, cursor, clinic_id: uuid.UUID, doctor_id: uuid.UUID, offset: int, count: int
    ) -> None:
        """One patient, one condition, one active plan and three visits per generated row."""
        cursor.execute(
            """
            WITH p AS (
              INSERT INTO patients_patient (
                id, clinic_id, version, chart_number, given_name, family_name, preferred_name,
                date_of_birth, sex_at_birth, gender_identity, phone, email, address_line1,
                address_line2, city, region, postal_code, country, emergency_contact_name,
                emergency_contact_relationship, emergency_contact_phone, preferred_contact_method,
                occupation, activity_level, status, last_visit_at, created_at, updated_at,
                given_name_key, family_name_key, phone_digits_reversed)
              SELECT gen_random_uuid(), %(clinic)s, 1, 'B' || lpad((%(offset)s + n)::text, 9, '0'),
                'given' || md5(%(clinic)s::text || n || 'g' || %(offset)s), 'family' || md5(%(clinic)s::text || n || 'f' || %(offset)s), '',
                date '1940-01-01' + (n * 7919 %% 29000), 'female', '', '+1617' || lpad((n * 7907 %% 10000000)::text, 7, '0'),
                'b' || (%(offset)s + n) || '@example.com', '', '', '', '', '', 'US', '', '', '', '', '', '',
                CASE WHEN n %% 10 = 0 THEN 'inactive' ELSE 'active' END,
                now() - (n %% 900) * interval '1 day', now(), now(),
                'given' || md5(%(clinic)s::text || n || 'g' || %(offset)s), 'family' || md5(%(clinic)s::text || n || 'f' || %(offset)s),
                reverse('16170' || lpad((n * 7907 %% 10000000)::text, 7, '0'))
              FROM generate_series(1, %(count)s) AS n
              RETURNING id, clinic_id
            ), c AS (
              INSERT INTO patients_condition (
                id, clinic_id, version, patient_id, code, display, body_region, laterality, cause,
                clinical_status, verification_status, note, recorded_by_id, created_at, updated_at)
              SELECT gen_random_uuid(), clinic_id, 1, id,
                (ARRAY['M54.2','M54.50','M62.830','M99.01','M99.03','S13.4XXA'])[1 + (random() * 5)::int],
                'synthetic', 'cervical', '', '', 'active', 'confirmed', '', %(doctor)s, now(), now()
              FROM p RETURNING id, clinic_id, patient_id
            ), t AS (
              INSERT INTO treatments_treatmentplan (
                id, clinic_id, version, patient_id, chiropractor_id, phase, status, status_changed_at,
                start_date, visits_per_week, weeks, frequency, reexam_interval_days,
                reexam_interval_visits, notes, created_by_id, created_at, updated_at)
              SELECT gen_random_uuid(), clinic_id, 1, patient_id, %(doctor)s, 'relief', 'active', now(),
                current_date - 20, 3, 4, '[{"visits_per_week": 3, "weeks": 4}]', 30, 12, '',
                %(doctor)s, now(), now()
              FROM c RETURNING id, clinic_id, patient_id
            )
            INSERT INTO treatments_visit (
              id, clinic_id, version, patient_id, chiropractor_id, plan_id, visit_at, is_reexamination,
              pain_before, pain_after, subjective, objective, assessment, plan_note, adherence, status,
              signed_by_id, signed_at, created_by_id, created_at, updated_at)
            SELECT gen_random_uuid(), clinic_id, 1, patient_id, %(doctor)s, id,
              now() - (k * 2 + (random() * 600)::int) * interval '1 day', false, 6 - k, 4 - k, 's', 'o', 'a', 'p',
              'partial', 'signed', %(doctor)s, now(), %(doctor)s, now(), now()
            FROM t, generate_series(1, 3) AS k
            """,
            {"clinic": clinic_id, "doctor": doctor_id, "offset": offset, "count": count},
        )
