"""What a feed reader may narrow the feed to (each served by an index of ChangeEvent)."""

import django_filters

from changes.models import ChangeEvent
from changes.tracking import event_types, resource_types


class ChangeEventFilter(django_filters.FilterSet):
    type = django_filters.MultipleChoiceFilter(
        choices=[(name, name) for name in event_types()],
        help_text="Only these event types (repeat the parameter for several).",
    )
    resource_type = django_filters.MultipleChoiceFilter(
        choices=[(name, name) for name in resource_types()],
        help_text="Only changes to these kinds of record.",
    )
    resource_id = django_filters.UUIDFilter(help_text="Only changes to this record.")

    class Meta:
        model = ChangeEvent
        fields = ["type", "resource_type", "resource_id"]
