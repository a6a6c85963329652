"""Print which installed packages differ from the lock (run by `make test-latest`)."""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main(lock: str) -> None:
    pinned: dict[str, set[str]] = {}
    for line in Path(lock).read_text().splitlines():
        match = PIN.match(line)
        if match:
            pinned.setdefault(_norm(match[1]), set()).add(match[2])
    drift = []
    for dist in metadata.distributions():
        name = _norm(dist.metadata["Name"])
        if name in pinned and dist.version not in pinned[name]:
            drift.append(f"  {name}: lock {'/'.join(sorted(pinned[name]))}, newest {dist.version}")
    print("newer than the lock:" if drift else "the newest allowed releases equal the lock")
    print("\n".join(sorted(drift)))


if __name__ == "__main__":
    main(sys.argv[1])
