"""The home exercise programme in words a patient reads: pure functions over plain values."""

from dataclasses import dataclass

TIMES = {1: "once", 2: "twice"}


@dataclass(frozen=True)
class Dosage:
    sets: int
    repetitions: int
    hold_seconds: int
    times_per_day: int
    days_per_week: int


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def dosage_sentence(dosage: Dosage) -> str:
    """`3 sets of 10 repetitions, holding each for 30 seconds, twice a day, 5 days a week.`"""
    parts = [f"{_count(dosage.sets, 'set')} of {_count(dosage.repetitions, 'repetition')}"]
    if dosage.hold_seconds:
        parts.append(f"holding each for {_count(dosage.hold_seconds, 'second')}")
    parts.append(f"{TIMES.get(dosage.times_per_day, f'{dosage.times_per_day} times')} a day")
    parts.append(
        "every day"
        if dosage.days_per_week == 7
        else f"{_count(dosage.days_per_week, 'day')} a week"
    )
    return ", ".join(parts) + "."
