"""Text messages: the interface an SMS provider plugs into. None is bundled.

A deployment names its provider's class by dotted path in REMINDER_SMS_PROVIDER (a class of
its own, wrapping Twilio, Vonage, an aggregator…), made with no arguments and reading its
credentials from the environment itself. Without one, patients who prefer text messages are
reminded by email when they have an address.
"""

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsProvider(Protocol):
    def send(self, to: str, text: str) -> str:
        """Send `text` to the phone number `to` (E.164); the provider's id of the message.
        Raises when the provider refuses it or cannot be reached."""
        ...


def configured_provider() -> SmsProvider | None:
    """The provider REMINDER_SMS_PROVIDER names, made afresh; None when it names none."""
    path: str = settings.REMINDER_SMS_PROVIDER
    if not path:
        return None
    provider: SmsProvider = import_string(path)()
    return provider
