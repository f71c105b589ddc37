"""The change feed's error codes, each with the one status it answers (api.error_codes)."""

from api.error_codes import ErrorCodes


class FeedCode(ErrorCodes):
    """What the feed's reads answer."""

    # The events after the cursor were removed (CHANGE_FEED_RETENTION_DAYS): resynchronise.
    CURSOR_EXPIRED = "cursor_expired", 410
    # The cursor is past the feed's last event: it is not this clinic's, or was made up.
    CURSOR_AHEAD = "cursor_ahead", 400
    INVALID_CURSOR = "invalid_cursor", 400
