"""DeepL's outages as a translation session remembers them.

A failure that would repeat, or that costs the client's retries to find (no connection, no
answer in time, a server error, 429 after retrying, a malformed reply, a refused key, a used-up
quota), starts an outage: for ``retry_after`` seconds the session does not ask DeepL again, and
the default backend goes straight to the cache and the reference translations.  A failure that
belongs to one request (such as a 400 for its options) starts none.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..errors import (
    AuthorizationError,
    ConnectionFailedError,
    MalformedReplyError,
    QuotaExceededError,
    ServiceError,
    TooManyRequestsError,
    TranslationError,
)

__all__ = ["RETRY_AFTER", "Outage", "starts_outage"]

RETRY_AFTER = 300.0
"""Seconds a session leaves DeepL alone after a failure, by default."""

_LASTING = (
    AuthorizationError,
    ConnectionFailedError,
    MalformedReplyError,
    QuotaExceededError,
    ServiceError,
    TooManyRequestsError,
)


def starts_outage(error: TranslationError) -> bool:
    """Whether ``error`` is likely to happen again at once (see the module's description)."""
    return isinstance(error, _LASTING)


@dataclass(frozen=True, slots=True)
class Outage:
    """DeepL failed with ``error`` at ``since`` (:func:`time.monotonic`); not asked again for
    ``retry_after`` seconds."""

    error: TranslationError
    retry_after: float
    since: float = field(default_factory=time.monotonic)

    def is_over(self) -> bool:
        return time.monotonic() - self.since >= self.retry_after

    def begins(self) -> str:
        """What the first note of the outage adds."""
        return (
            f"DeepL is not asked again for {_duration(self.retry_after)}; retry_deepl() asks it "
            "at once."
        )

    def note(self) -> str:
        """What a call that does not ask DeepL during the outage says."""
        waited = time.monotonic() - self.since
        return (
            f"DeepL is not asked again for another {_duration(self.retry_after - waited)}: it "
            f"failed {_duration(waited)} ago ({self.error.reason}). Cached and reference "
            "translations stand in; retry_deepl() asks it again at once."
        )

    def remembered(self) -> TranslationError:
        """The error again, for a caller that asked for DeepL only, saying when it was."""
        return type(self.error)(
            f"{self.error.reason} (this failure is from {_duration(time.monotonic() - self.since)}"
            f" ago; DeepL is asked again after {_duration(self.retry_after)}, or at once after "
            "retry_deepl())"
        )


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    return f"{round(seconds / 60)} minutes"
