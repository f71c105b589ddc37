"""Serializers are the shapes of requests; services take their validated data as typed
keywords. Each serializer's writable fields (nested lists included) must be keywords its
service declares, and a service's declared fields must all be sendable: neither can drift."""

import inspect
import typing

import pytest
from rest_framework import serializers

from billing import services as billing
from billing.serializers import (
    ClaimPaymentSerializer,
    CodingCorrectionSerializer,
    CoverageSerializer,
    FeeScheduleEntrySerializer,
    InsuranceCaseSerializer,
)
from charts.serializers import VisitSerializer
from clinics import services as clinics
from clinics.serializers import StaffCreateSerializer, StaffSerializer
from patients import services as patients
from patients.serializers import ConditionSerializer, PatientSerializer
from reference import services as reference
from reference.serializers import ExerciseSerializer, TechniqueSerializer
from scheduling import services as scheduling
from scheduling.serializers import (
    AppointmentCancelSerializer,
    AppointmentCompleteSerializer,
    AppointmentSerializer,
    AppointmentTypeSerializer,
    PlanScheduleSerializer,
    ScheduleExceptionSerializer,
    WaitlistEntrySerializer,
    WorkingHoursSerializer,
)
from treatments.outcomes import services as outcomes
from treatments.outcomes.serializers import OutcomeMeasureSerializer
from treatments.plans import inputs as plan_inputs
from treatments.plans import services as plans
from treatments.plans.serializers import (
    GoalSerializer,
    PlannedAdjustmentSerializer,
    PlannedExerciseSerializer,
    PlannedSoftTissueSerializer,
    TreatmentPlanCreateSerializer,
    TreatmentPlanSerializer,
)
from treatments.visits import services as visits
from treatments.visits.serializers import AmendmentSerializer
from webhooks import services as webhooks
from webhooks.serializers import WebhookEndpointSerializer

# (serializer, the service its view passes the validated data to, as keywords)
KEYWORD_WRITES = [
    (PatientSerializer, patients.patient_create),
    (PatientSerializer, patients.patient_update),
    (ConditionSerializer, patients.condition_record),
    (ConditionSerializer, patients.condition_update),
    (TreatmentPlanCreateSerializer, plans.plan_create),
    (TreatmentPlanSerializer, plans.plan_update),
    (OutcomeMeasureSerializer, outcomes.outcome_record),
    (VisitSerializer, visits.visit_create),
    (VisitSerializer, visits.visit_update),
    (AmendmentSerializer, visits.visit_amend),
    (CoverageSerializer, billing.coverage_create),
    (CoverageSerializer, billing.coverage_update),
    (InsuranceCaseSerializer, billing.case_create),
    (InsuranceCaseSerializer, billing.case_update),
    (FeeScheduleEntrySerializer, billing.fee_create),
    (FeeScheduleEntrySerializer, billing.fee_update),
    (ClaimPaymentSerializer, billing.claim_payment_record),
    (CodingCorrectionSerializer, billing.coding_correct),
    (AppointmentTypeSerializer, scheduling.appointment_type_create),
    (AppointmentTypeSerializer, scheduling.appointment_type_update),
    (WorkingHoursSerializer, scheduling.working_hours_create),
    (WorkingHoursSerializer, scheduling.working_hours_update),
    (ScheduleExceptionSerializer, scheduling.schedule_exception_create),
    (ScheduleExceptionSerializer, scheduling.schedule_exception_update),
    (AppointmentSerializer, scheduling.appointment_book),
    (AppointmentSerializer, scheduling.appointment_update),
    (AppointmentCancelSerializer, scheduling.appointment_transition),
    (AppointmentCompleteSerializer, scheduling.appointment_transition),
    (PlanScheduleSerializer, scheduling.plan_schedule),
    (WaitlistEntrySerializer, scheduling.waitlist_add),
    (WaitlistEntrySerializer, scheduling.waitlist_update),
    (StaffCreateSerializer, clinics.staff_create),
    (StaffSerializer, clinics.staff_update),
    (TechniqueSerializer, reference.technique_add),
    (ExerciseSerializer, reference.exercise_add),
    (WebhookEndpointSerializer, webhooks.endpoint_create),
    (WebhookEndpointSerializer, webhooks.endpoint_update),
]

# Plan items are passed whole (`item=`), typed by their kind.
ITEM_WRITES = [
    (GoalSerializer, plan_inputs.GoalFields),
    (PlannedAdjustmentSerializer, plan_inputs.AdjustmentFields),
    (PlannedSoftTissueSerializer, plan_inputs.SoftTissueFields),
    (PlannedExerciseSerializer, plan_inputs.ExerciseFields),
]


def writable(serializer: serializers.Serializer) -> dict[str, serializers.Field]:
    """The keys of the serializer's validated data: each writable field by its source
    (a nested serializer with source "*" adds its own fields)."""
    keys = {}
    for field in serializer.fields.values():
        if field.read_only:
            continue
        if field.source == "*" and isinstance(field, serializers.BaseSerializer):
            keys.update(writable(field))
        else:
            keys[field.source] = field
    return keys


def declared_keys(typed_dict: type) -> dict[str, object]:
    return typing.get_type_hints(typed_dict)


def keywords(service) -> tuple[dict[str, object], type | None]:
    """The keywords a service takes, with their types, and its TypedDict of fields if it
    takes them as `**fields: Unpack[...]`."""
    hints = typing.get_type_hints(service)
    found: dict[str, object] = {}
    fields_type = None
    for name, parameter in inspect.signature(service).parameters.items():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            (fields_type,) = typing.get_args(hints[name])
            found.update(declared_keys(fields_type))
        else:
            assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, (service, name)
            found[name] = hints[name]
    return found, fields_type


def nested_type(annotation: object) -> type | None:
    """The TypedDict of a `list[SomeFields]` (or `list[SomeFields] | None`) keyword."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(candidate) is list:
            (item,) = typing.get_args(candidate)
            if typing.is_typeddict(item):
                return item
    return None


def assert_same_shape(serializer: serializers.Serializer, accepted: dict, exact: bool) -> None:
    sent = writable(serializer)
    assert set(sent) <= set(accepted), (
        f"{type(serializer).__name__} sends {sorted(set(sent) - set(accepted))}, "
        "which its service does not declare"
    )
    if exact:
        assert set(accepted) <= set(sent), (
            f"the service declares {sorted(set(accepted) - set(sent))}, which "
            f"{type(serializer).__name__} cannot send"
        )
    for name, field in sent.items():
        if isinstance(field, serializers.ListSerializer) or (
            isinstance(field, serializers.ListField)
            and isinstance(field.child, serializers.Serializer)
        ):
            child = field.child
            item_type = nested_type(accepted[name])
            assert item_type is not None, f"{name}: a list of {type(child).__name__} is untyped"
            assert_same_shape(child, declared_keys(item_type), exact=True)


@pytest.mark.parametrize(
    ("serializer_class", "service"),
    KEYWORD_WRITES,
    ids=[f"{s.__name__}-{f.__name__}" for s, f in KEYWORD_WRITES],
)
def test_a_service_declares_every_field_its_serializer_sends(serializer_class, service):
    accepted, fields_type = keywords(service)
    # Fields taken as a TypedDict are the record's own: each one is sendable. Keywords named
    # one by one also take what the view adds (the clinic, the caller, the record written).
    assert_same_shape(serializer_class(), accepted, exact=False)
    if fields_type is not None:
        assert set(declared_keys(fields_type)) <= set(writable(serializer_class())), fields_type


@pytest.mark.parametrize(("serializer_class", "fields_type"), ITEM_WRITES)
def test_a_plan_item_is_typed_as_its_serializer_sends_it(serializer_class, fields_type):
    assert_same_shape(serializer_class(), declared_keys(fields_type), exact=True)


def test_services_take_keywords_only():
    for _, service in KEYWORD_WRITES:
        for name, parameter in inspect.signature(service).parameters.items():
            assert parameter.kind in (
                inspect.Parameter.KEYWORD_ONLY,
                inspect.Parameter.VAR_KEYWORD,
            ), f"{service.__qualname__}({name}) is positional"
