"""Which records the change feed follows, declared on their models: the database writes the
event, in the change's own transaction, whatever code made the change (a request, an import,
a job), so that no change is committed without its event and none is forgotten by a new
service.

    @track_changes(
        "visit",
        clinical=True,
        actions=status_actions("status", {"signed": "signed", "entered-in-error": "entered_in_error"}),
    )
    class Visit(...):

registers two triggers on the table (django-pgtrigger; their SQL is in the app's migrations):
after an INSERT, the event `visit.created`; after an UPDATE that changed anything but the
ignored columns, the first declared action whose condition holds on OLD and NEW, else
`updated`. A table that is a part of another record (a visit's amendments) names that record's
id column and type instead: its rows are events of the record they belong to.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

import pgtrigger
from django.db import models

M = TypeVar("M", bound=type[models.Model])

# The events' table, named rather than imported: the tracked models are loaded before this
# app's models are.
EVENTS_TABLE = "changes_changeevent"

# The request's user, as the request's context set it for django-pghistory (tenancy's token
# statement); none for a job or a management command.
ACTOR = "(nullif(current_setting('pghistory.context_metadata', true), '')::jsonb ->> 'user')::uuid"


@dataclass(frozen=True)
class Action:
    """A named change: `condition` reads OLD and NEW (pgtrigger.Q, pgtrigger.Condition)."""

    name: str
    condition: pgtrigger.Condition


@dataclass(frozen=True)
class TrackedResource:
    """What the feed says of one table's rows (see the module's docstring)."""

    resource_type: str
    clinical: bool
    on_insert: str
    actions: tuple[Action, ...]
    on_update: str | None
    resource_id: str
    patient: str | None
    ignored: tuple[str, ...]

    def action_names(self) -> list[str]:
        names = [self.on_insert]
        if self.on_update is not None:
            names += [action.name for action in self.actions] + [self.on_update]
        return list(dict.fromkeys(names))


# Every tracked table, by model label: the event types the API documents come from here.
TRACKED: dict[str, TrackedResource] = {}


def status_actions(column: str, actions: Mapping[str, str]) -> tuple[Action, ...]:
    """An action for each status reached: {the status's value: the action's name}."""
    return tuple(
        Action(
            name,
            pgtrigger.Q(
                **{f"old__{column}__df": pgtrigger.F(f"new__{column}"), f"new__{column}": value}
            ),
        )
        for value, name in actions.items()
    )


def set_or_cleared(column: str, *, set_as: str, cleared_as: str) -> tuple[Action, Action]:
    """A moment column's two actions: set (archived) and cleared again (restored)."""
    return (
        Action(set_as, _became(column, null=False)),
        Action(cleared_as, _became(column, null=True)),
    )


def _became(column: str, *, null: bool) -> pgtrigger.Q:
    return pgtrigger.Q(**{f"old__{column}__isnull": not null, f"new__{column}__isnull": null})


def event_types() -> list[str]:
    """Every event type the feed can carry, sorted."""
    return sorted(
        {
            f"{resource.resource_type}.{name}"
            for resource in TRACKED.values()
            for name in resource.action_names()
        }
    )


def trigger_uris() -> list[str]:
    """Every feed trigger, as pgtrigger names them (`app.Model:trigger`): what `make loadtest`
    turns off to measure the feed's cost on a write."""
    return [
        f"{label}:{name}"
        for label, resource in TRACKED.items()
        for name in ("change_feed_insert", "change_feed_update")
        if name == "change_feed_insert" or resource.on_update is not None
    ]


def resource_types() -> list[str]:
    return sorted({resource.resource_type for resource in TRACKED.values()})


class FeedTrigger(pgtrigger.Trigger):
    """An AFTER ROW trigger that appends the row's change to the feed (pgtrigger's documented
    extension point: a Trigger deriving its function from the model, `get_func`)."""

    def __init__(self, *, resource: TrackedResource, **kwargs) -> None:
        self.resource = resource
        super().__init__(when=pgtrigger.After, declare=[("change_action", "text")], **kwargs)

    def get_func(self, model: models.Model) -> str:
        # pgtrigger passes the model class (its stubs say an instance).
        table = cast(type[models.Model], model)
        resource = self.resource
        if self.operation == pgtrigger.Insert:
            action = _literal(resource.on_insert)
        else:
            branches = " ".join(
                f"WHEN {step.condition.resolve(table)} THEN {_literal(step.name)}"
                for step in resource.actions
            )
            action = f"CASE {branches} ELSE {_literal(resource.on_update or '')} END"
        fields = {field.name for field in table._meta.concrete_fields}
        version = "NEW.version" if resource.resource_id == "id" and "version" in fields else "NULL"
        patient = _patient(table, resource.patient)
        return f"""
change_action := {action};
INSERT INTO {EVENTS_TABLE}
    (clinic_id, occurred_at, resource_type, resource_id, action, type, version, patient_id,
     clinical, actor_id)
VALUES
    (NEW.clinic_id, now(), {_literal(resource.resource_type)},
     NEW.{_column(table, resource.resource_id)}, change_action,
     {_literal(resource.resource_type + ".")} || change_action, {version}, {patient},
     {"true" if resource.clinical else "false"}, {ACTOR});
RETURN NULL;
"""


def _literal(text: str) -> str:
    if "'" in text:
        raise ValueError(f"A feed name holds no quote: {text!r}")
    return f"'{text}'"


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.pk if name == "id" else model._meta.get_field(name)
    # A foreign key is found by its name or its column's.
    assert isinstance(field, models.Field) and field.column is not None
    return field.column


def _patient(model: type[models.Model], path: str | None) -> str:
    """The patient's id: a column of the row, or of the row a foreign key names
    (`visit__patient_id`: the visit's patient)."""
    if path is None:
        return "NULL"
    if "__" not in path:
        return f"NEW.{_column(model, path)}"
    through, name = path.split("__", 1)
    related = model._meta.get_field(through).related_model
    assert isinstance(related, type) and issubclass(related, models.Model)
    return (
        f"(SELECT {_column(related, name)} FROM {related._meta.db_table}"
        f" WHERE {_column(related, 'id')} = NEW.{_column(model, through)})"
    )


def track_changes(
    resource_type: str,
    *,
    clinical: bool,
    actions: Iterable[Action] = (),
    on_insert: str = "created",
    on_update: str | None = "updated",
    resource_id: str = "id",
    patient: str | None = "patient_id",
    ignored: Sequence[str] = (),
) -> Callable[[M], M]:
    """Register the model's rows with the change feed (see the module's docstring).

    `on_insert`, `on_update`: the actions of a new row and of a change that no declared
    action names (None: the rows are never changed, only added); `resource_id`: the column naming the record an event is about (its own id, or the record
    it is part of); `patient`: the column naming the record's patient (None: none);
    `ignored`: columns whose change alone is no event (derived values), besides the
    auto-updated timestamps."""

    def register(model: M) -> M:
        resource = TrackedResource(
            resource_type=resource_type,
            clinical=clinical,
            on_insert=on_insert,
            on_update=on_update,
            actions=tuple(actions),
            resource_id=resource_id,
            patient=patient,
            ignored=tuple(ignored),
        )
        TRACKED[model._meta.label] = resource
        triggers = [
            FeedTrigger(resource=resource, name="change_feed_insert", operation=pgtrigger.Insert)
        ]
        if resource.on_update is not None:
            triggers.append(
                FeedTrigger(
                    resource=resource,
                    name="change_feed_update",
                    operation=pgtrigger.Update,
                    condition=pgtrigger.AnyChange(exclude=list(ignored), exclude_auto=True),
                )
            )
        pgtrigger.register(*triggers)(model)
        return model

    return register
