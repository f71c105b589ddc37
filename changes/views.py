"""The change feed: `GET /api/v1/events/`, one ordered feed per clinic."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from api.error_codes import ApiCode
from api.filters import KnownQueryParametersFilter
from api.permissions import IsClinicStaff
from audit.recording import AuditedViewMixin
from changes.filters import ChangeEventFilter
from changes.models import ChangeEvent
from changes.pagination import FeedPagination
from changes.selectors import change_event_list
from changes.serializers import ChangeEventSerializer
from clinics.request_user import request_user


@extend_schema_view(
    list=extend_schema(
        summary="The clinic's change feed: every change to its records, in commit order",
        description=(
            "Each event names a record that changed, its new version, how and by whom; never "
            "its content: read the record at its endpoint with your own token. Store "
            "`next_cursor` once a page is handled and pass it as `after` next time: no event "
            "is missed or read twice, including events of transactions that commit late "
            "(numbered within a second or so of their commit). Events are kept "
            "`CHANGE_FEED_RETENTION_DAYS` (30 by default); an older cursor answers 410 "
            "`cursor_expired`. The front desk reads no clinical events (conditions, plans, "
            "visits, outcome measures, claims). Reading the feed is audited."
        ),
    )
)
class ChangeEventViewSet(AuditedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsClinicStaff]
    serializer_class = ChangeEventSerializer
    queryset = ChangeEvent.objects.none()
    filterset_class = ChangeEventFilter
    # The feed's order is its numbering; it offers no other.
    filter_backends = [KnownQueryParametersFilter, DjangoFilterBackend]
    pagination_class = FeedPagination
    extra_query_parameters = (FeedPagination.after_query_param,)
    error_codes = {"list": (ApiCode.INVALID,)}
    audit_resource = "change_event"

    def get_queryset(self):
        return change_event_list(user=request_user(self.request))
