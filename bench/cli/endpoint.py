"""`--base-url`: the HTTP collector sent to an endpoint the user names, politely.

The URL is a template with `{symbol}` (`https://api.example.com/v1/quote/{symbol}?key=...`).
Politeness is on by default: at most `--max-rate` requests a second and `--max-requests` in all,
for the whole session and every strategy in it, each request within the collector's timeout
(`--task-timeout`, default 10 s). Anything that is not a loopback address (`localhost`,
127.0.0.0/8, ::1, named as such: no name is looked up) needs `--allow-remote`, so a typo cannot
send a benchmark's load to someone else's server. Nothing here touches the network.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from bench.cli.numbers import parse_float, parse_int
from bench.collectors.polite import Politeness
from bench.errors import UsageError

if TYPE_CHECKING:
    from bench.cli.config import RunConfig
    from bench.harness.execution import Abilities

DEFAULT_RATE: Final = "5"
DEFAULT_MAX_REQUESTS: Final = "1000"
MAX_REQUESTS: Final = 1_000_000
FLAG = "--base-url"


@dataclass(frozen=True, slots=True)
class Endpoint:
    origin: str  # scheme://host[:port]
    template: str  # path and query, with {symbol}
    loopback: bool
    rate_per_s: float
    max_requests: int

    def describe(self) -> dict[str, object]:
        """What results.json keeps: no query string (API keys live there), only its presence."""
        path = self.template.partition("?")[0]
        return {
            "url": self.origin + path,
            "query": "omitted" if "?" in self.template else None,
            "loopback": self.loopback,
            "max_rate_per_s": self.rate_per_s,
            "max_requests": self.max_requests,
        }


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: not looked up, so not known to be this machine


def parse_endpoint(url: str, allow_remote: bool, rate: str, max_requests: str) -> Endpoint:
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"{FLAG}: not a URL ({exc}): {url!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{FLAG} must be an http:// or https:// URL with a host (got {url!r})")
    if parts.username or parts.password:
        raise UsageError(f"{FLAG}: credentials in the URL would be recorded; use the query")
    rest = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    others = rest.replace("{symbol}", "")
    if "{symbol}" not in rest or "{" in others or "}" in others:
        raise UsageError(
            f"{FLAG} must hold {{symbol}} in its path or query, and no other braces (got {url!r})"
        )
    loopback = is_loopback(parts.hostname)
    rate_per_s = parse_float("--max-rate", rate, 0.0, above=True, high=10_000)
    cap = parse_int("--max-requests", max_requests, 1, MAX_REQUESTS)
    if not loopback and not allow_remote:
        raise UsageError(
            f"{FLAG}: {parts.hostname} is not a loopback address; add --allow-remote to confirm "
            f"you may send it up to {cap} requests at {rate_per_s:g} a second"
        )
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    origin = f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")
    return Endpoint(origin, rest, loopback, rate_per_s, cap)


def endpoint_from(args: Any, abilities: Mapping[str, Abilities]) -> Endpoint | None:
    """--base-url and its politeness flags, checked against the rest of the plan."""
    url = getattr(args, "base_url", None)
    if url is None:
        for flag, given in (
            ("--max-rate", getattr(args, "max_rate", None)),
            ("--max-requests", getattr(args, "max_requests", None)),
            ("--allow-remote", getattr(args, "allow_remote", False)),
        ):
            if given:
                raise UsageError(f"{flag} is a politeness limit of --base-url: give --base-url")
        return None
    if args.io != "http":
        raise UsageError(f"{FLAG} sends the HTTP collector to your endpoint: it needs --io http")
    endpoint = parse_endpoint(
        url,
        bool(getattr(args, "allow_remote", False)),
        getattr(args, "max_rate", None) or DEFAULT_RATE,
        getattr(args, "max_requests", None) or DEFAULT_MAX_REQUESTS,
    )
    for flag, given in (
        ("--http-quota", getattr(args, "http_quota", None)),
        ("--http-faults", args.http_faults),
        ("--latency-from", getattr(args, "latency_from", None)),
    ):
        if given:
            raise UsageError(f"{flag} shapes the mock API; with {FLAG} your endpoint decides")
    spread = [n for n, can in abilities.items() if can.leaves_process or can.leaves_interpreter]
    if spread:
        raise UsageError(
            f"{FLAG}: {spread[0]} runs tasks in other processes or interpreters, each of which "
            "would keep its own politeness limits; use a strategy that stays in one process"
        )
    return endpoint


def politely(config: RunConfig) -> RunConfig:
    """The session's config aimed at the endpoint, with one set of caps for the whole session."""
    assert config.endpoint is not None
    polite = Politeness(config.endpoint.rate_per_s, config.endpoint.max_requests)
    return dataclasses.replace(config, base_url=config.endpoint.origin, polite=polite)
