"""Requests to an OpenAI-compatible server, shared by the LLM and the transcription server: one deadline, a
plainer reply format when the server refuses one, one retry when it is busy, every failure in the caller's
own words (a server's error text can echo the API key, so it is never quoted)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import openai

F = TypeVar("F", bound=str)
T = TypeVar("T")


@dataclass(frozen=True)
class Failures:
    """How one caller names each failure; `{timeout}` in `timed_out` stands for the timeout in seconds."""

    error: type[Exception]
    timed_out: str
    unreachable: str
    not_a_reply: str
    status: Callable[[int], str]


class FormatMemory(Generic[F]):
    """The reply formats to ask a server for, best first, and the one it accepted once one has worked: the
    caller's own memory (one per configured server), shared by the sessions that use it."""

    def __init__(self, order: tuple[F, ...]):
        self.order = order
        self._known: F | None = None
        self._lock = threading.Lock()

    @property
    def known(self) -> F | None:
        with self._lock:
            return self._known

    def remember(self, fmt: F) -> None:
        with self._lock:
            self._known = fmt


def status_reason(status: int, server: str) -> str:
    """A refused request in plain words, e.g. "the LLM server refused the API key (HTTP 401)"."""
    if status in (401, 403):
        return f"{server} refused the API key (HTTP {status})"
    if status == 404:
        return f"{server} has no such model or address (HTTP 404)"
    if status == 429:
        return f"{server} is rate-limiting requests (HTTP 429)"
    if status >= 500:
        return f"{server} failed (HTTP {status})"
    return f"{server} rejected the request (HTTP {status})"


def request_until_done(
    send: Callable[[F, float], T],
    formats: FormatMemory[F],
    refuses: Callable[[int, F], bool],
    deadline: float,
    timeout: float,
    failures: Failures,
) -> tuple[T, F]:
    """The server's reply and the format it was asked in; `send(format, seconds_left)` makes one request.

    A status `refuses` names moves to the next format, unless this server already accepted one (then it is
    a real error); a 429 or 5xx is retried once after a short pause; every other failure raises at once.
    """
    known = formats.known
    fmt, confirmed, retried = known or formats.order[0], known is not None, False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0.05:
            raise failures.error(failures.timed_out.format(timeout=f"{timeout:g}"))
        try:
            return send(fmt, remaining), fmt
        except openai.APITimeoutError as exc:
            raise failures.error(failures.timed_out.format(timeout=f"{timeout:g}")) from exc
        except openai.APIConnectionError as exc:
            # Refused or unreachable: a retry would only fail again.
            raise failures.error(failures.unreachable) from exc
        except openai.APIStatusError as exc:
            status = exc.status_code
            if refuses(status, fmt) and not confirmed and fmt != formats.order[-1]:
                fmt = formats.order[formats.order.index(fmt) + 1]
                retried = retried or status >= 500  # a 500 that refused a format spends the one retry
                continue
            if (status == 429 or status >= 500) and not retried:
                retried = True
                time.sleep(min(0.5, max(0.0, deadline - time.monotonic() - 0.1)))
                continue
            raise failures.error(failures.status(status)) from exc
        except (openai.APIResponseValidationError, ValueError) as exc:
            # ValueError: a body that claims to be JSON and is not.
            raise failures.error(failures.not_a_reply) from exc
