"""Status machines: one table of allowed moves per kind of record, and the endpoints that
make them.

A treatment plan and an appointment each move through their statuses by named actions
(`POST /treatment-plans/{id}/activate/`, `POST /appointments/{id}/arrive/`). Each app writes
its table of moves (treatments.plans.transitions, scheduling.transitions); this module holds
what they share: refusing a move the status does not allow with the options there are, the
`allowed_actions` a record's answer lists, and the endpoint of each action (If-Match
guarded, answering the record re-read).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.concurrency import IF_MATCH_PARAMETER
from api.errors import WRITE_ERRORS, Conflict


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    summary: str


class TransitionNotAllowed(Conflict):
    default_code = "transition_not_allowed"


class StatusMachine:
    """The moves of one kind of record; `noun` with its article names it in refusals."""

    def __init__(self, article: str, noun: str, transitions: Iterable[Transition]) -> None:
        self.article = article
        self.noun = noun
        self.transitions: dict[str, Transition] = {t.action: t for t in transitions}
        self.actions: list[str] = list(self.transitions)

    def allowed_actions(self, status: str) -> list[str]:
        return [t.action for t in self.transitions.values() if status in t.sources]

    def path(self, source: str, target: str) -> list[str]:
        """The fewest actions that move a record from `source` to `target` (none when they are
        the same); a ValueError when no moves lead there."""
        paths: dict[str, list[str]] = {source: []}
        frontier = [source]
        while frontier and target not in paths:
            following = []
            for status in frontier:
                for transition in self.transitions.values():
                    if status in transition.sources and transition.target not in paths:
                        paths[transition.target] = [*paths[status], transition.action]
                        following.append(transition.target)
            frontier = following
        if target not in paths:
            raise ValueError(f"No moves lead {self.article.lower()} {self.noun} to {target}.")
        return paths[target]

    def target_status(self, *, status: str, action: str) -> str:
        """The status `action` moves a record in `status` to; refused naming the options."""
        transition = self.transitions[action]
        if status not in transition.sources:
            options = self.allowed_actions(status)
            allowed = ", ".join(options) if options else f"none (the {self.noun} is closed)"
            raise TransitionNotAllowed(
                f"{self.article} {self.noun} that is {status.replace('_', '-')} cannot "
                f"{action.replace('-', ' ')}. Allowed actions: {allowed}."
            )
        return transition.target

    def actions_field(self) -> type[serializers.ReadOnlyField]:
        """A read-only field showing the actions a record's status allows now."""
        machine = self

        @extend_schema_field(
            serializers.ListField(child=serializers.ChoiceField(choices=machine.actions))
        )
        class AllowedActionsField(serializers.ReadOnlyField):
            def to_representation(self, status: str) -> list[str]:
                return machine.allowed_actions(status)

        return AllowedActionsField

    def action(
        self,
        name: str,
        *,
        answer: type[serializers.Serializer],
        body: type[serializers.Serializer] | None = None,
    ):
        """The `POST …/{id}/<name>/` endpoint of one move, for a RecordViewSet.

        The viewset's `perform_transition(action, data)` makes the move through its app's
        service (`data`: the validated `body`, or None) and returns the record, as
        `perform_update` does for a change; the answer is the record re-read.
        """
        transition = self.transitions[name]
        sources = ", ".join(sorted(transition.sources))

        def handler(self, request: Request, pk: str | None = None) -> Response:
            data = None
            if body is not None:
                given = body(data=request.data, context=self.get_serializer_context())
                given.is_valid(raise_exception=True)
                data = given.validated_data
            record = self.perform_transition(name, data)
            return Response(self.get_serializer(self.refreshed(record)).data)

        # DRF maps the HTTP method to the handler by its name, so name it before decorating.
        handler.__name__ = name.replace("-", "_")
        documented = extend_schema(
            summary=f"{transition.summary} ({sources} → {transition.target})",
            description=f"Allowed from: {sources}. Any other status answers 409 naming the "
            "allowed actions.",
            request=body,
            parameters=[IF_MATCH_PARAMETER],
            responses={200: answer, **WRITE_ERRORS},
        )
        return documented(
            action(detail=True, methods=["post"], url_path=name, url_name=name)(handler)
        )
