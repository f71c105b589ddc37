"""Password rules beyond Django's: strength as an attacker would guess (zxcvbn), and nothing
made of the staff member's own names or their clinic's name."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

from api.error_codes import ApiCode

# Words a guesser tries first against a chiropractic clinic's staff.
DOMAIN_WORDS = (
    "chiropractic",
    "chiropractor",
    "chiro",
    "clinic",
    "spine",
    "spinal",
    "adjustment",
    "patient",
    "doctor",
    "wellness",
)

# zxcvbn's cost grows with length; past this the rest of a passphrase only adds strength.
MAX_CHECKED_LENGTH = 100

STRENGTH_WORDS = {0: "very weak", 1: "weak", 2: "fair", 3: "good", 4: "strong"}


def _words(value: str) -> list[str]:
    return [part for part in re.split(r"[^0-9a-z]+", value.lower()) if part]


def _personal_values(user) -> list[str]:
    if user is None:
        return []
    clinic = getattr(user, "clinic", None)
    email = (getattr(user, "email", "") or "").split("@")[0]
    values = [user.get_username(), email, user.first_name, user.last_name]
    return [value for value in [*values, clinic.name if clinic else ""] if value]


class PasswordStrengthValidator:
    """Refuses passwords an attacker would guess soon: zxcvbn's score (0–4) must reach
    `PASSWORD_MIN_STRENGTH`, with the user's names, their clinic's name and the trade's
    vocabulary counted as guessable; and none may contain those names."""

    def __init__(self, min_score: int | None = None) -> None:
        self.min_score = min_score if min_score is not None else settings.PASSWORD_MIN_STRENGTH

    def validate(self, password: str, user=None) -> None:
        names = [_words(value) for value in _personal_values(user)]
        squashed = "".join(_words(password))
        for words in names:
            candidates = ["".join(words)] + [word for word in words if len(word) >= 4]
            if any(len(c) >= 3 and c in squashed for c in candidates):
                raise ValidationError(
                    "The password contains a name: yours, your username's or your clinic's.",
                    code=ApiCode.PASSWORD_TOO_PERSONAL,
                )
        guesses = [guess for words in names for guess in ("".join(words), *words)]
        result = zxcvbn(
            password[:MAX_CHECKED_LENGTH],
            user_inputs=list(dict.fromkeys(guesses + list(DOMAIN_WORDS))),
        )
        if result["score"] < self.min_score:
            feedback = result["feedback"]
            reasons = " ".join(filter(None, [feedback["warning"], *feedback["suggestions"]]))
            raise ValidationError(
                f"The password is {STRENGTH_WORDS[result['score']]}: it would be guessed too "
                f"soon. {reasons or 'Use a longer passphrase of unrelated words.'}".strip(),
                code=ApiCode.PASSWORD_TOO_WEAK,
            )

    def get_help_text(self) -> str:
        return (
            "Your password must be hard to guess: not made of your names or your clinic's, "
            "and strong by zxcvbn's estimate (a passphrase of four unrelated words works)."
        )
