"""The webhooks' error codes, each with the one status it answers (api.error_codes)."""

from api.error_codes import ErrorCodes


class WebhookCode(ErrorCodes):
    # The URL is not http(s), or is http where https is required.
    URL_SCHEME_REFUSED = "webhook_url_scheme_refused", 400
    # The host resolves to a private, loopback, link-local or otherwise non-public address.
    URL_ADDRESS_REFUSED = "webhook_url_address_refused", 400
    # The host does not resolve.
    URL_UNRESOLVABLE = "webhook_url_unresolvable", 400
    # Redelivery of an event whose delivery is still waiting for its next attempt.
    DELIVERY_PENDING = "webhook_delivery_pending", 409
    # A test event or a redelivery to an endpoint that is not active.
    ENDPOINT_INACTIVE = "webhook_endpoint_inactive", 409
