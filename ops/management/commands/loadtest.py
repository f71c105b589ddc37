"""`manage.py loadtest`: the production server under load, beside a bare ceiling app.

Seeds the data set when it is missing (ops.loadtest.dataset), starts the project and the
ceiling under gunicorn with production settings, drives both with ops.loadtest.driver,
interleaving ceiling and project runs, and prints per scenario: requests/s, p50, p95, p99,
errors, round trips per request (counted by a proxy in front of PostgreSQL), CPU ms per
request of the workers and the ratio to the ceiling's throughput; then the database row
(ops.loadtest.database_row: a retrieve's SQL under pgbench, with and without its audit event).
Exits non-zero on any error or a round-trip count over its budget.
"""

import json
import statistics
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from knox.models import AuthToken

from fhir_api.resources.elements import BODY_REGION_SNOMED
from fhir_api.systems import ICD_10_CM, SNOMED
from ops.loadtest import change_feed, database_row, dataset
from ops.loadtest.driver import Request, Result, drive
from ops.loadtest.roundtrips import RoundTripCounter
from ops.loadtest.servers import Server, production_environment, through_port
from patients.models import Patient
from reference.models import BodyRegion
from reminders.models import AppointmentReminder
from scheduling.models import AppointmentType
from treatments.models import PlannedAdjustment, TreatmentPlan, Visit
from webhooks.models import WebhookEndpoint

SAMPLE = 200  # different patients, plans and searches per scenario
DATABASE_ROW = "database row"
# Round trips to PostgreSQL per request (issue budgets): reading one object, 3 plus the
# audit event's; a list of any page size, 5. Writes are timed, not budgeted.
READ_BUDGET = 3 + 1
LIST_BUDGET = 5
# Free times read the type, the chiropractor, and their calendar (hours, exceptions and
# appointments in one statement).
CALENDAR_BUDGET = LIST_BUDGET
# A series preview reads the plan, the clinic's default types, the plan's booked visits and
# the chiropractor's calendar.
SERIES_BUDGET = 6
# A claim reads the visit with its billing records (one statement), then the fee schedule;
# the crossover claim and the payments list also read the visit's payments.
CLAIM_BUDGET = READ_BUDGET + 1
TAPERING = [{"visits_per_week": 3, "weeks": 4}, {"visits_per_week": 2, "weeks": 6}]
# A patient's $everything: one statement per type a chiropractor reads of a patient's (12),
# at most one more per table of the types kept in several (Procedure 3, ServiceRequest 3,
# Provenance 2: only tables with rows on the page are read), what a page of claims reads
# besides (1), and a read's own. Whatever the number of visits, plans and scores.
EVERYTHING_BUDGET = READ_BUDGET + 12 + 8 + 1
# The change feed's page: the token's statement, the clinic's horizon, the page, the audit event.
FEED_BUDGET = READ_BUDGET
FEED_PAGE = 100
# The write whose cost the change feed's triggers must keep within 10 % (issue 29).
FEED_COST_SCENARIO = "visit create, 10 items"
WITHOUT_FEED = ", no change feed"
# FHIR import Bundles, each a new patient and a condition: more than a run posts, so that each
# request writes (a Bundle posted again is answered from its recorded keys, writing nothing).
IMPORT_BUNDLES = 3000


@dataclass
class Scenario:
    name: str
    requests: list[Request]
    round_trip_budget: int | None
    # Driven with one connection per worker instead of --connections: a request's own time,
    # without the wait behind the others that a closed loop of more clients than workers adds.
    one_per_worker: bool = False
    # Run with the change feed's triggers off: the same write's cost without its events.
    without_feed: bool = False


def feed_state(scenario: Scenario):
    return change_feed.triggers_off() if scenario.without_feed else nullcontext()


@dataclass
class Row:
    name: str
    result: Result
    cpu_ms: float
    ceiling_rps: float
    round_trips: float | None = None
    budget: int | None = None
    each_rps: list[float] = field(default_factory=list)  # each round's

    @property
    def rps(self) -> float:
        return self.result.requests / self.result.seconds if self.result.seconds else 0.0

    @property
    def spread(self) -> str:
        if not self.each_rps:
            return ""
        return f"{min(self.each_rps):.0f}–{max(self.each_rps):.0f}"

    def percentile(self, share: float) -> float:
        latencies = sorted(self.result.latencies_ms)
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))]


class Command(BaseCommand):
    help = "Seed the load test's data when missing, then load the production server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=1_000_000, help="Data set size.")
        parser.add_argument("--seconds", type=float, default=10.0, help="Per run.")
        parser.add_argument("--rounds", type=int, default=2, help="Interleaved runs each.")
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
        parser.add_argument(
            "--worker-class", choices=["sync", "gthread"], default="sync", help="gunicorn's."
        )
        parser.add_argument("--threads", type=int, default=1, help="Per gthread worker.")
        parser.add_argument(
            "--reads-synchronous",
            choices=["on", "off"],
            default="",
            help="AUDIT_READS_SYNCHRONOUS of both servers (default: the settings').",
        )
        parser.add_argument("--seed-only", action="store_true", help="Seed, do not load.")
        parser.add_argument(
            "--only",
            default="",
            help=(
                "Scenarios whose name contains one of these, comma-separated "
                f"('{DATABASE_ROW}': the database row alone)."
            ),
        )

    def handle(self, *args, **options) -> None:
        clinics = dataset.clinics()
        with change_feed.triggers_off():
            dataset.fill(clinics, options["patients"], say=self.stdout.write)
        if options["seed_only"]:
            return
        every = self._scenarios(clinics)
        only = options["only"].split(",")
        scenarios = [s for s in every if any(part in s.name for part in only)]
        if scenarios:
            self.stdout.write("Counting round trips…")
            round_trips = self._round_trips(scenarios, options)
            self.stdout.write(f"Loading ({options['rounds']} × {options['seconds']:.0f} s each)…")
            rows = self._load(scenarios, self._ceilings(every[0]), options)
            for row in rows:
                row.round_trips = round_trips.get(row.name)
            self._report(rows, options)
        if any(part in DATABASE_ROW for part in only):
            self._database_row(clinics[0], options)

    def _database_row(self, load: dataset.LoadClinic, options: dict) -> None:
        if not database_row.available():
            self.stdout.write("\nDatabase row skipped: pgbench is not installed.")
            return
        self.stdout.write(f"Database row ({options['rounds']} × {options['seconds']:.0f} s each)…")
        try:
            rows = database_row.measure(
                load, seconds=options["seconds"], rounds=options["rounds"], say=self.stdout.write
            )
        except RuntimeError as error:
            raise CommandError(f"{DATABASE_ROW}: {error}") from error
        database_row.report(rows, self.stdout.write)

    # The scenarios, as each clinic's chiropractor: reads in the first clinic (one busy clinic:
    # every connection on it), writes in the second (so that the visits a run writes do not
    # change what the next run reads); the spread retrieve reads in every clinic.
    def _scenarios(self, clinics: list[dataset.LoadClinic]) -> list[Scenario]:
        load, writes = clinics[:2]
        auth = self._auth(load)
        patients, plans = self._sample(load)
        write_auth = self._auth(writes)
        _, write_plans = self._sample(writes)

        def get(path: str) -> Request:
            return Request("GET", path, auth)

        visit_creates = [
            self._visit_create(write_auth, plan, patient) for plan, patient in write_plans
        ]
        feed_after = change_feed.cursor_a_page_before_the_end(load, FEED_PAGE)

        return [
            Scenario(
                "patient retrieve",
                [get(f"/api/v1/patients/{pk}/") for pk, _, _ in patients],
                READ_BUDGET,
            ),
            Scenario("patient retrieve, spread", self._spread_retrieves(clinics), READ_BUDGET),
            Scenario(
                "FHIR Patient read",
                [get(f"/fhir/R4/Patient/{pk}") for pk, _, _ in patients],
                READ_BUDGET,
            ),
            Scenario(
                "FHIR Patient search, name",
                [get(f"/fhir/R4/Patient?name={quote(name[:4])}") for _, name, _ in patients],
                LIST_BUDGET,
            ),
            Scenario(
                "FHIR Patient $everything",
                [get(f"/fhir/R4/Patient/{pk}/$everything") for pk, _, _ in patients],
                EVERYTHING_BUDGET,
            ),
            Scenario(
                "FHIR import, a patient and a condition",
                [self._fhir_import(write_auth, number) for number in range(IMPORT_BUNDLES)],
                None,
            ),
            Scenario("patient list", [get("/api/v1/patients/")], LIST_BUDGET),
            Scenario(
                "name search",
                [get(f"/api/v1/patients/?name={name[:4]}") for _, name, _ in patients],
                LIST_BUDGET,
            ),
            Scenario(
                "phone search",
                [get(f"/api/v1/patients/?phone={phone[-4:]}") for _, _, phone in patients],
                LIST_BUDGET,
            ),
            Scenario(
                "plan detail",
                [get(f"/api/v1/treatment-plans/{pk}/") for pk, _ in plans],
                READ_BUDGET,
            ),
            Scenario("visits list", [get("/api/v1/visits/")], LIST_BUDGET),
            Scenario(FEED_COST_SCENARIO, visit_creates, None),
            Scenario(FEED_COST_SCENARIO + WITHOUT_FEED, visit_creates, None, without_feed=True),
            Scenario(
                "change feed, a page of 100",
                [get(f"/api/v1/events/?after={feed_after}")],
                FEED_BUDGET,
            ),
            Scenario("visit create, 1 per worker", visit_creates, None, one_per_worker=True),
            Scenario(
                "plan progress",
                [get(f"/api/v1/treatment-plans/{pk}/progress/") for pk, _ in plans],
                READ_BUDGET,
            ),
            Scenario(
                "day view",
                [
                    get(
                        f"/api/v1/appointments/?chiropractor={load.doctor.pk}"
                        f"&start_from={quote(start)}&start_before={quote(end)}"
                    )
                    for start, end in self._days(load, 1)
                ],
                LIST_BUDGET,
            ),
            Scenario(
                "available times, 7 days",
                [
                    get(
                        f"/api/v1/appointments/available-times/?appointment_type={kind}"
                        f"&chiropractor={load.doctor.pk}&start={quote(start)}&end={quote(end)}"
                    )
                    for start, end in self._days(load, 7)
                    for kind in [AppointmentType.objects.get(clinic=load.clinic).pk]
                ],
                CALENDAR_BUDGET,
            ),
            Scenario(
                "appointment reminders list", [get("/api/v1/appointment-reminders/")], LIST_BUDGET
            ),
            Scenario(
                "a patient's appointment reminders",
                [
                    get(f"/api/v1/appointment-reminders/?patient={pk}")
                    for pk in self._reminded_patients(load)
                ],
                LIST_BUDGET,
            ),
            Scenario(
                "claim data",
                [get(f"/api/v1/visits/{pk}/claim/") for pk in self._signed_visits(patients)],
                CLAIM_BUDGET,
            ),
            Scenario(
                "crossover claim",
                [
                    get(f"/api/v1/visits/{pk}/secondary-claim/")
                    for pk in self._signed_visits(patients)
                ],
                CLAIM_BUDGET + 1,
            ),
            Scenario(
                "claim payments",
                [
                    get(f"/api/v1/visits/{pk}/claim/payments/")
                    for pk in self._signed_visits(patients)
                ],
                READ_BUDGET + 1,
            ),
            Scenario(
                "webhook endpoints list",
                [
                    Request(
                        "GET", "/api/v1/webhook-endpoints/", self._admin_auth(load, endpoints=25)
                    )
                ],
                LIST_BUDGET,
            ),
            Scenario(
                "series preview, 24 visits",
                [self._series_preview(auth, pk) for pk in self._tapering(plans)],
                SERIES_BUDGET,
            ),
        ]

    def _spread_retrieves(self, clinics: list[dataset.LoadClinic]) -> list[Request]:
        """Patient retrieves over every clinic, each with its clinic chiropractor's token, one
        clinic after another (consecutive requests in different clinics)."""
        per_clinic = []
        for load in clinics:
            auth = self._auth(load)
            patients = (
                Patient.objects.filter(clinic=load.clinic)
                .order_by("chart_number")
                .values_list("id", flat=True)[: SAMPLE * 50 : 50 * len(clinics)]
            )
            per_clinic.append([Request("GET", f"/api/v1/patients/{pk}/", auth) for pk in patients])
        return [request for turn in zip(*per_clinic, strict=False) for request in turn]

    def _reminded_patients(self, load: dataset.LoadClinic) -> list[object]:
        """Patients of the clinic who were sent appointment reminders."""
        return list(
            AppointmentReminder.objects.filter(clinic=load.clinic)
            .order_by("patient_id")
            .distinct("patient_id")
            .values_list("patient_id", flat=True)[:SAMPLE]
        )

    def _signed_visits(self, patients: list[tuple]) -> list[object]:
        """A signed visit of each sampled patient."""
        return list(
            Visit.objects.filter(patient_id__in=[pk for pk, _, _ in patients], status="signed")
            .order_by("patient_id", "visit_at")
            .distinct("patient_id")
            .values_list("pk", flat=True)
        )

    def _tapering(self, plans: list[tuple]) -> list[object]:
        """The sampled plans, tapering 3 a week for 4 weeks then 2 a week for 6 (24 visits)."""
        ids = [pk for pk, _ in plans]
        TreatmentPlan.objects.filter(pk__in=ids).exclude(frequency=TAPERING).update(
            frequency=TAPERING, visits_per_week=3, weeks=10
        )
        return ids

    def _series_preview(self, auth: dict, plan: object) -> Request:
        body = {"weekdays": [0, 2, 4], "times": ["09:00", "13:00"], "start_date": None}
        body["start_date"] = str(datetime.now(UTC).date() + timedelta(days=7))
        return Request(
            "POST",
            f"/api/v1/treatment-plans/{plan}/schedule/",
            {**auth, "Content-Type": "application/json"},
            json.dumps(body).encode(),
        )

    def _days(self, load: dataset.LoadClinic, length: int) -> list[tuple[str, str]]:
        """Windows of `length` days from midnight on the clinic's clock, over the two months
        of the seeded calendar."""
        zone = ZoneInfo(load.clinic.time_zone)
        today = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        starts = [today + timedelta(days=offset) for offset in range(-30, 30)]
        return [(s.isoformat(), (s + timedelta(days=length)).isoformat()) for s in starts]

    def _admin_auth(self, load: dataset.LoadClinic, *, endpoints: int) -> dict[str, str]:
        """The clinic admin's token, once the clinic has `endpoints` webhook endpoints: seeded
        inactive, so that no worker posts to them."""
        for number in range(WebhookEndpoint.objects.filter(clinic=load.clinic).count(), endpoints):
            WebhookEndpoint.objects.create(
                clinic=load.clinic,
                url=f"https://webhooks.example.com/load/{number}",
                is_active=False,
                secret="whsec_bG9hZC10ZXN0LWtleS1ub3QtdXNlZC1mb3ItYW55dGhpbmc=",
            )
        token = AuthToken.objects.create(load.admin)[1]
        return {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def _auth(self, load: dataset.LoadClinic) -> dict[str, str]:
        token = AuthToken.objects.create(load.doctor)[1]
        return {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def _sample(self, load: dataset.LoadClinic) -> tuple[list[tuple], list[tuple]]:
        """Patients spread over the clinic's chart numbers, and their plans."""
        patients = list(
            Patient.objects.filter(clinic=load.clinic)
            .order_by("chart_number")
            .values_list("id", "family_name", "phone")[: SAMPLE * 50 : 50]
        )
        plans = list(
            TreatmentPlan.objects.filter(
                clinic=load.clinic, patient_id__in=[p[0] for p in patients]
            ).values_list("id", "patient_id")
        )
        return patients, plans

    def _visit_create(self, auth: dict, plan: uuid.UUID, patient: uuid.UUID) -> Request:
        planned = list(
            PlannedAdjustment.objects.filter(plan_id=plan)
            .order_by("position")
            .values_list("id", flat=True)
        )
        adjustments = [{"planned_item": str(item)} for item in planned] + [
            {"segment": segment, "technique": "diversified"} for segment in ("C6", "T4", "T5", "L5")
        ]
        body = {
            "patient": str(patient),
            "plan": str(plan),
            "visit_at": datetime.now(UTC).isoformat(),
            "pain_before": 5,
            "pain_after": 3,
            "subjective": "Neck better; stiff in the mornings.",
            "objective": "C5 and L4 tender; rotation improved.",
            "assessment": "Improving as planned.",
            "plan_note": "Continue.",
            "adjustments": adjustments,
            "soft_tissue": [
                {"modality": "swedish_massage", "muscles": ["upper_trapezius"], "minutes": 8},
                {
                    "modality": "deep_tissue_massage",
                    "muscles": ["levator_scapulae"],
                    "minutes": 7,
                },
            ],
            "exercises": [
                {"exercise": "chin_tuck", "sets": 2, "repetitions": 10, "minutes": 0},
                {"exercise": "upper_trapezius_stretch", "sets": 1, "repetitions": 3, "minutes": 0},
            ],
        }
        return Request(
            "POST",
            "/api/v1/visits/",
            {**auth, "Content-Type": "application/json"},
            json.dumps(body).encode(),
        )

    def _fhir_import(self, auth: dict, number: int) -> Request:
        """A transaction Bundle of a new patient (unique source keys) and a condition."""
        patient = f"urn:uuid:{uuid.uuid4()}"
        bundle = {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "fullUrl": patient,
                    "resource": {
                        "resourceType": "Patient",
                        "name": [{"family": f"Imported{number}", "given": ["Load"]}],
                        "gender": "female",
                        "birthDate": "1980-04-12",
                    },
                    "request": {"method": "POST", "url": "Patient"},
                },
                {
                    "fullUrl": f"urn:uuid:{uuid.uuid4()}",
                    "resource": {
                        "resourceType": "Condition",
                        "subject": {"reference": patient},
                        "code": {"coding": [{"system": ICD_10_CM, "code": "M54.2"}]},
                        "bodySite": [
                            {
                                "coding": [
                                    {
                                        "system": SNOMED,
                                        "code": BODY_REGION_SNOMED[BodyRegion.CERVICAL][0],
                                    }
                                ]
                            }
                        ],
                        "onsetDateTime": "2026-10-01",
                    },
                    "request": {"method": "POST", "url": "Condition"},
                },
            ],
        }
        return Request(
            "POST",
            "/fhir/R4/",
            {**auth, "Content-Type": "application/fhir+json"},
            json.dumps(bundle).encode(),
        )

    def _server_environment(self, options: dict) -> dict[str, str]:
        """gunicorn's worker class and threads, and AUDIT_READS_SYNCHRONOUS when given."""
        environment = {
            "GUNICORN_WORKER_CLASS": options["worker_class"],
            "GUNICORN_THREADS": str(options["threads"]),
        }
        if options["reads_synchronous"]:
            environment["AUDIT_READS_SYNCHRONOUS"] = str(options["reads_synchronous"] == "on")
        return environment

    def _round_trips(self, scenarios: list[Scenario], options: dict) -> dict[str, float]:
        """Round trips per request, for each scenario, through a one-worker server."""
        # Where this process's connection really goes (a host, or the embedded server's
        # socket directory given as a URL parameter).
        connection.ensure_connection()
        info = connection.connection.info
        counter = RoundTripCounter(info.host, info.port)
        app_url = through_port(production_environment()["DATABASE_APP_URL"], counter.port)
        server = Server(
            "config.wsgi:application",
            workers=1,
            ready_path="/healthz",
            DATABASE_APP_URL=app_url,
            **self._server_environment(options),
        )
        counted = {}
        try:
            for scenario in scenarios:
                with feed_state(scenario):
                    warm = drive(
                        server.address, scenario.requests, connections=1, processes=1, limit=3
                    )
                    self._check(scenario.name, warm)
                    before = counter.count
                    measured = drive(
                        server.address,
                        scenario.requests[3:] or scenario.requests,
                        connections=1,
                        processes=1,
                        limit=20,
                    )
                self._check(scenario.name, measured)
                counted[scenario.name] = (counter.count - before) / measured.requests
        finally:
            server.stop()
        return counted

    def _check(self, name: str, result: Result) -> None:
        if result.errors:
            raise CommandError(f"{name}: {result.errors} errors; first: {result.first_error}")

    def _ceilings(self, retrieves: Scenario) -> list[Scenario]:
        """The ceiling app's runs: the small JSON body (every ratio's reference), a bare ORM
        read, and the retrieve's floor on the same patients as the project's retrieve."""
        patients = [request.path.rstrip("/").rsplit("/", 1)[-1] for request in retrieves.requests]
        return [
            Scenario("ceiling: small JSON", [Request("GET", "/json")], None),
            Scenario("ceiling: ORM read by id", [Request("GET", f"/orm/{patients[0]}")], None),
            Scenario(
                "ceiling: retrieve's floor",
                [
                    Request("GET", f"/floor/{pk}", request.headers)
                    for pk, request in zip(patients, retrieves.requests, strict=True)
                ],
                None,
            ),
        ]

    def _load(
        self, scenarios: list[Scenario], ceilings: list[Scenario], options: dict
    ) -> list[Row]:
        workers, seconds = options["workers"], options["seconds"]
        environment = self._server_environment(options)
        project = Server(
            "config.wsgi:application", workers=workers, ready_path="/healthz", **environment
        )
        ceiling = Server(
            "ops.loadtest.ceiling_wsgi:application",
            workers=workers,
            ready_path="/json",
            DJANGO_SETTINGS_MODULE="ops.loadtest.ceiling_settings",
            SERVE_AS_APP_ROLE="false",
            **environment,
        )
        runs: dict[str, list[tuple[Result, float]]] = {}
        json_rps: list[float] = []
        try:
            for _ in range(options["rounds"]):
                for scenario in ceilings + scenarios:
                    # Interleaved: the ceiling's pace is measured next to each scenario's.
                    reference = self._run(ceiling, ceilings[0], seconds, options)
                    json_rps.append(reference[0].requests / reference[0].seconds)
                    server = ceiling if scenario in ceilings else project
                    runs.setdefault(scenario.name, []).append(
                        self._run(server, scenario, seconds, options)
                    )
            rss = project.worker_rss_mb()
        finally:
            project.stop()
            ceiling.stop()
        self.stdout.write(
            f"Project worker RSS after the load: {', '.join(f'{r:.0f} MB' for r in rss)}"
        )
        ceiling_rps = statistics.median(json_rps)
        budgets = {scenario.name: scenario.round_trip_budget for scenario in ceilings + scenarios}
        rows = []
        for name, results in runs.items():
            merged = Result(
                [lat for result, _ in results for lat in result.latencies_ms],
                sum(result.errors for result, _ in results),
                sum(result.seconds for result, _ in results),
                next((r.first_error for r, _ in results if r.first_error), ""),
            )
            cpu = sum(cpu for _, cpu in results) / max(merged.requests, 1) * 1000
            each = [result.requests / result.seconds for result, _ in results if result.seconds]
            rows.append(Row(name, merged, cpu, ceiling_rps, budget=budgets[name], each_rps=each))
        return rows

    def _run(self, server: Server, scenario: Scenario, seconds: float, options: dict):
        before = server.cpu_seconds()
        per_worker = options["workers"] * options["threads"]
        connections = per_worker if scenario.one_per_worker else options["connections"]
        with feed_state(scenario):
            result = drive(
                server.address, scenario.requests, connections=connections, seconds=seconds
            )
        return result, server.cpu_seconds() - before

    def _report(self, rows: list[Row], options: dict) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM patients_patient")
            patients = cursor.fetchone()[0]
        threads = f" × {options['threads']} threads" if options["worker_class"] == "gthread" else ""
        synchronous = options["reads_synchronous"] or (
            "on" if settings.AUDIT_READS_SYNCHRONOUS else "off"
        )
        self.stdout.write(
            f"\n{patients:,} patients; {options['workers']} gunicorn {options['worker_class']} "
            f"workers{threads}; {options['connections']} connections; "
            f"AUDIT_READS_SYNCHRONOUS {synchronous}.\n"
            "Reads are one busy clinic's (every connection on one clinic) but the spread "
            "retrieve's (every clinic, one after another); req/s spread: each round's.\n"
        )
        header = (
            f"{'scenario':<26}{'req/s':>8}{'spread':>12}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
            f"{'errors':>7}{'trips':>7}{'budget':>7}{'CPU ms':>8}{'÷ ceiling':>10}"
        )
        self.stdout.write(header)
        failures = []
        for row in rows:
            trips = "" if row.round_trips is None else f"{row.round_trips:.1f}"
            self.stdout.write(
                f"{row.name:<26}{row.rps:>8.0f}{row.spread:>12}{row.percentile(0.5):>8.1f}"
                f"{row.percentile(0.95):>8.1f}{row.percentile(0.99):>8.1f}{row.result.errors:>7}"
                f"{trips:>7}{row.budget or '':>7}{row.cpu_ms:>8.2f}"
                f"{row.rps / row.ceiling_rps:>10.3f}"
            )
            if row.result.errors:
                failures.append(
                    f"{row.name}: {row.result.errors} errors ({row.result.first_error[:200]})"
                )
            if row.round_trips is not None and row.budget and row.round_trips > row.budget:
                failures.append(f"{row.name}: {row.round_trips:.1f} round trips > {row.budget}")
        self._report_feed_cost(rows)
        if failures:
            raise CommandError("; ".join(failures))

    def _report_feed_cost(self, rows: list[Row]) -> None:
        """The change feed's cost on a write: the same visit creates with its triggers and
        without (issue 29: within 10 %), in CPU per request and in throughput."""
        by_name = {row.name: row for row in rows}
        on, off = by_name.get(FEED_COST_SCENARIO), by_name.get(FEED_COST_SCENARIO + WITHOUT_FEED)
        if on is None or off is None or not off.cpu_ms or not off.rps:
            return
        self.stdout.write(
            f"\nChange feed's cost on '{FEED_COST_SCENARIO}': "
            f"CPU {on.cpu_ms / off.cpu_ms - 1:+.1%} per request "
            f"({off.cpu_ms:.2f} → {on.cpu_ms:.2f} ms), "
            f"throughput {on.rps / off.rps - 1:+.1%} ({off.rps:.0f} → {on.rps:.0f} req/s), "
            f"p50 {off.percentile(0.5):.1f} → {on.percentile(0.5):.1f} ms."
        )
