"""When a chiropractor can be booked: free start times from working hours, exceptions and the
appointments already booked. Pure functions over plain values: no ORM, no request.

Times are aware datetimes, and instants are compared and stepped in UTC (Python adds to and
compares datetimes of one zone on the wall clock). Weekly hours and repeating exceptions are wall-clock times in the
clinic's time zone, turned into instants day by day, so that 09:00 stays 09:00 across a
daylight-saving change; start times are stepped in real (absolute) time from the start of each
working range, so the hour repeated on the fall-back day is offered twice, with its two
offsets, and the hour skipped on the spring-forward day is never offered.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

# Repeating exceptions may repeat daily at most often: a finer rule has no use in a calendar
# and would make a week's expansion unbounded.
ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
MAX_RULE_LENGTH = 200
MAX_INTERVAL = 100
# A repeating exception whose rule ends after more occurrences than this is treated as endless.
COUNTED_OCCURRENCES = 5_000
# How far a new rule is expanded to check that it occurs and expands without error.
PROBED = timedelta(days=2 * 366)


@dataclass(frozen=True)
class Interval:
    """A half-open span of time, [start, end)."""

    start: datetime
    end: datetime

    def overlaps(self, other: "Interval") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class WeeklyRange:
    """A chiropractor works `start`–`end` (wall clock) on `weekday` (0 = Monday), between
    `valid_from` and `valid_until` when they are set."""

    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_until: date | None = None

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or day >= self.valid_from)
            and (self.valid_until is None or day <= self.valid_until)
        )


@dataclass(frozen=True)
class DatedException:
    """A dated exception to the weekly hours: time off (`available` false) or extra hours
    (`available` true), once or repeating by an RFC 5545 rule (`FREQ=WEEKLY;BYDAY=WE`)."""

    start: datetime
    end: datetime
    available: bool
    recurrence: str = ""


@dataclass(frozen=True)
class Booked:
    """An appointment that holds the chiropractor: its span and the buffer after it."""

    start: datetime
    end: datetime
    buffer: timedelta = timedelta(0)


def wall_clock(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant (in UTC) the clocks of `zone` show `at` on `day`; a time the clocks skip is
    read with the offset before the change (as zoneinfo does), so a range never runs backwards.
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def local_time_exists(moment: datetime, zone: ZoneInfo) -> bool:
    """False when the wall-clock time `moment` shows (its offset ignored) is one the clocks of
    `zone` skip (the spring-forward gap)."""
    naive = moment.replace(tzinfo=None)
    there_and_back = moment.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    return there_and_back.replace(tzinfo=None) == naive


def local_time_is_ambiguous(moment: datetime, zone: ZoneInfo) -> bool:
    """True when the wall-clock time `moment` shows (its offset ignored) is one the clocks of
    `zone` show twice (the fall-back hour)."""
    naive = moment.replace(tzinfo=None)
    first = naive.replace(tzinfo=zone, fold=0).utcoffset()
    second = naive.replace(tzinfo=zone, fold=1).utcoffset()
    return local_time_exists(naive, zone) and first != second


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def weekly_intervals(
    ranges: Iterable[WeeklyRange], first: date, last: date, zone: ZoneInfo
) -> list[Interval]:
    """The working intervals the weekly hours give from `first` to `last` (days, inclusive)."""
    ranges = list(ranges)
    found = []
    for day in days(first, last):
        for weekly in ranges:
            if weekly.applies_on(day):
                start, end = wall_clock(day, weekly.start, zone), wall_clock(day, weekly.end, zone)
                if start < end:
                    found.append(Interval(start, end))
    return found


def occurrences(exception: DatedException, window: Interval, zone: ZoneInfo) -> list[Interval]:
    """The spans of `exception` that touch `window`; a repeating one repeats on the wall clock."""
    if not exception.recurrence:
        span = Interval(exception.start.astimezone(UTC), exception.end.astimezone(UTC))
        return [span] if span.overlaps(window) else []
    local_start = exception.start.astimezone(zone).replace(tzinfo=None)
    length = exception.end.astimezone(zone).replace(tzinfo=None) - local_start
    # Occurrences that start up to one span before the window may still reach into it.
    after = window.start.astimezone(zone).replace(tzinfo=None) - length - timedelta(days=1)
    before = window.end.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    try:
        rule = rrulestr(exception.recurrence, dtstart=local_start)
        found = rule.between(after, before, inc=True)
    except (ValueError, TypeError, IndexError, OverflowError) as error:
        raise UnusableRule(exception.recurrence) from error
    spans = []
    for begins in found:
        span = Interval(
            begins.replace(tzinfo=zone).astimezone(UTC),
            (begins + length).replace(tzinfo=zone).astimezone(UTC),
        )
        if span.end > span.start and span.overlaps(window):
            spans.append(span)
    return spans


def merged(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of `intervals`, as sorted, disjoint intervals."""
    result: list[Interval] = []
    for interval in sorted(intervals, key=lambda i: (i.start, i.end)):
        if result and interval.start <= result[-1].end:
            if interval.end > result[-1].end:
                result[-1] = Interval(result[-1].start, interval.end)
        else:
            result.append(interval)
    return result


def subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    """`intervals` without the time in `holes` (both sorted and disjoint)."""
    result = []
    for interval in intervals:
        pieces = [interval]
        for hole in holes:
            if hole.start >= interval.end:
                break
            next_pieces = []
            for piece in pieces:
                if not piece.overlaps(hole):
                    next_pieces.append(piece)
                    continue
                if piece.start < hole.start:
                    next_pieces.append(Interval(piece.start, hole.start))
                if hole.end < piece.end:
                    next_pieces.append(Interval(hole.end, piece.end))
            pieces = next_pieces
        result.extend(pieces)
    return result


def working_time(
    ranges: Iterable[WeeklyRange],
    exceptions: Iterable[DatedException],
    window: Interval,
    zone: ZoneInfo,
) -> list[Interval]:
    """When the chiropractor works within `window`: weekly hours, plus extra hours, less time
    off (time off wins where the two meet); intervals in UTC."""
    window = Interval(window.start.astimezone(UTC), window.end.astimezone(UTC))
    first = window.start.astimezone(zone).date() - timedelta(days=1)
    last = window.end.astimezone(zone).date()
    spans = weekly_intervals(ranges, first, last, zone)
    off: list[Interval] = []
    for exception in exceptions:
        (spans if exception.available else off).extend(occurrences(exception, window, zone))
    clipped = [
        Interval(max(span.start, window.start), min(span.end, window.end))
        for span in merged(spans)
        if span.overlaps(window)
    ]
    return subtract(clipped, merged(off))


def free_starts(
    *,
    working: list[Interval],
    booked: Iterable[Booked],
    duration: timedelta,
    buffer: timedelta,
    step: timedelta,
    not_before: datetime,
) -> list[datetime]:
    """Start times for an appointment of `duration` (and `buffer` after it) within `working`,
    stepping by `step` from the start of each working span, that leave every booked
    appointment and its buffer clear and start no earlier than `not_before`. The appointment
    itself must end within working time; its buffer may run past it."""
    return Occupancy(working, booked).starts(
        duration=duration, buffer=buffer, step=step, not_before=not_before
    )


class Occupancy:
    """One chiropractor's working time and booked appointments, asked whether a new
    appointment fits (as free_starts would offer it, on any step) and told of each one placed:
    the spans are built once, so a series of visits costs a bisect each."""

    def __init__(self, working: list[Interval], booked: Iterable[Booked]) -> None:
        booked = [_utc(b) for b in booked]
        self.working = _Spans(
            Interval(span.start.astimezone(UTC), span.end.astimezone(UTC)) for span in working
        )
        self.held = _Spans(Interval(b.start, b.end + b.buffer) for b in booked)
        self.busy = _Spans(Interval(b.start, b.end) for b in booked)

    def fits(self, start: datetime, *, duration: timedelta, buffer: timedelta) -> bool:
        start = start.astimezone(UTC)
        ours = Interval(start, start + duration)
        return (
            self.working.holds(ours)
            and not self.held.meets(ours)
            and not self.busy.meets(Interval(start, start + duration + buffer))
        )

    def starts(
        self,
        window: Interval | None = None,
        *,
        duration: timedelta,
        buffer: timedelta,
        step: timedelta,
        not_before: datetime,
    ) -> list[datetime]:
        """The free start times (see free_starts), within `window` when it is given."""
        found = []
        for span in self.working.intervals:
            if window is not None and not span.overlaps(window):
                continue
            start = span.start
            while start + duration <= span.end and (window is None or start < window.end):
                if (
                    (window is None or start >= window.start)
                    and start >= not_before
                    and self.fits(start, duration=duration, buffer=buffer)
                ):
                    found.append(start)
                start += step
        return found

    def add(self, booked: Booked) -> None:
        """A new appointment that fits: the ones after it must leave it clear."""
        booked = _utc(booked)
        self.held.add(Interval(booked.start, booked.end + booked.buffer))
        self.busy.add(Interval(booked.start, booked.end))


def _utc(booked: Booked) -> Booked:
    return Booked(booked.start.astimezone(UTC), booked.end.astimezone(UTC), booked.buffer)


class _Spans:
    """Disjoint sorted intervals, asked whether an interval meets any of them (bisect)."""

    def __init__(self, intervals: Iterable[Interval]) -> None:
        self.intervals = merged(intervals)
        self.starts = [interval.start for interval in self.intervals]

    def holds(self, interval: Interval) -> bool:
        """Whether one span holds all of `interval`."""
        index = bisect_right(self.starts, interval.start) - 1
        return index >= 0 and self.intervals[index].end >= interval.end

    def add(self, interval: Interval) -> None:
        """Insert an interval that meets none of the spans (they stay disjoint and sorted)."""
        index = bisect_left(self.starts, interval.start)
        self.starts.insert(index, interval.start)
        self.intervals.insert(index, interval)

    def meets(self, interval: Interval) -> bool:
        # Disjoint and sorted, so the ends are sorted too: only the last span starting
        # before `interval` ends can reach into it.
        index = bisect_left(self.starts, interval.end) - 1
        return index >= 0 and self.intervals[index].end > interval.start


def last_end(start: datetime, end: datetime, recurrence: str, zone: ZoneInfo) -> datetime | None:
    """When the last occurrence of an exception (`start`–`end`, repeating by `recurrence` on the
    wall clock of `zone`) ends; None when the rule has no end, or ends only after
    COUNTED_OCCURRENCES occurrences (then it is treated as endless)."""
    if not recurrence:
        return end
    local_start = start.astimezone(zone).replace(tzinfo=None)
    length = end.astimezone(zone).replace(tzinfo=None) - local_start
    parts = recurrence.upper()
    if "COUNT=" not in parts and "UNTIL=" not in parts:
        return None
    last: datetime | None = None
    for index, begins in enumerate(rrulestr(recurrence, dtstart=local_start)):
        if index >= COUNTED_OCCURRENCES:
            return None
        last = begins
    if last is None:
        return end
    ends: datetime = (last + length).replace(tzinfo=zone)
    return ends


def recurrence_problem(rule: str, start: datetime) -> str | None:
    """Why `rule` is not a usable repeat rule for an exception starting at `start`, or None.

    The rule is expanded over its first two years here, bounded, so that a rule that never
    occurs, loops (INTERVAL=0) or fails when expanded is refused when it is written, not
    when a calendar is read."""
    if len(rule) > MAX_RULE_LENGTH:
        return f"Ensure this rule has no more than {MAX_RULE_LENGTH} characters."
    parts = dict(part.partition("=")[::2] for part in rule.upper().split(";") if part)
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        return f"FREQ must be one of {', '.join(ALLOWED_FREQUENCIES)}."
    if "DTSTART" in rule.upper():
        return "The rule starts with the exception's own start; leave DTSTART out."
    interval = parts.get("INTERVAL", "1")
    if not (interval.isascii() and interval.isdigit()) or not 1 <= int(interval) <= MAX_INTERVAL:
        return f"INTERVAL must be a whole number from 1 to {MAX_INTERVAL}."
    count = parts.get("COUNT", "1")
    if not (count.isascii() and count.isdigit()) or not 1 <= int(count) <= COUNTED_OCCURRENCES:
        return f"COUNT must be a whole number from 1 to {COUNTED_OCCURRENCES}."
    local_start = start.replace(tzinfo=None)
    try:
        parsed = rrulestr(rule, dtstart=local_start)
        # Further lines (EXDATE, RDATE, a second RRULE) make a set of rules.
        if not isinstance(parsed, rrule):
            return "Give one RRULE, on one line (no EXDATE, RDATE or second rule)."
        probe = parsed.replace(count=None, until=local_start + PROBED)
        if next(iter(probe), None) is None:
            return "The rule never occurs in its first two years."
    except (ValueError, TypeError, IndexError, OverflowError) as error:
        return f"Not a usable RFC 5545 recurrence rule: {error}."
    return None


class UnusableRule(ValueError):
    """A stored repeat rule that cannot be expanded (written before it was checked)."""
