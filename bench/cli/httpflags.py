"""The HTTP flags' values (`--http-faults`, `--http-quota`, `--http-attempts`, `serve
--retry-after`), each checked into what the mock API and the collectors take, or one line
naming the flag (exit 2)."""

from __future__ import annotations

from typing import Any

from bench.cli.numbers import parse_float, parse_int
from bench.errors import UsageError
from bench.mockapi.faults import FaultRates, parse_faults
from bench.mockapi.quota import Quota, parse_quota


def http_faults(text: str | None, flag: str = "--http-faults") -> FaultRates:
    try:
        return parse_faults(text or "")
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def http_quota(text: str | None, flag: str = "--http-quota") -> Quota | None:
    if text is None:
        return None
    try:
        return parse_quota(text)
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def quota_of(args: Any) -> Quota | None:
    quota = http_quota(getattr(args, "http_quota", None))
    if quota is not None and args.io != "http":
        raise UsageError("--http-quota is enforced by the mock API: it needs --io http")
    return quota


def attempts_of(args: Any) -> int:
    text = getattr(args, "http_attempts", None)
    if text is None:
        return 4
    if args.io != "http":
        raise UsageError("--http-attempts is for the HTTP collector: it needs --io http")
    return parse_int("--http-attempts", text, 1, 100)


def retry_after(text: str) -> str:
    """A Retry-After header value: seconds (0..1,000,000) or an HTTP date."""
    try:
        parse_float("--retry-after", text, 0.0)
    except UsageError:
        import email.utils  # only here: email and datetime, for every command's parser

        try:
            email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise UsageError(
                f"--retry-after must be seconds (0..1,000,000) or an HTTP date (got {text!r})"
            ) from None
    return text
