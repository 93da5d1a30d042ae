"""Counts conformance outcomes per client (sync, async) and prints one line
that tests/it/sdk_conformance.rs shows: `python conformance: sync N/M
passed (K skipped, F with a mocked response Prism flags); async ...`."""

from __future__ import annotations

from collections import Counter
from typing import Any

_outcomes: "Counter[tuple[str, str]]" = Counter()


def pytest_runtest_logreport(report: Any) -> None:
    if report.when == "call" or (report.when == "setup" and report.skipped):
        mode = "async" if "[async-" in report.nodeid else "sync"
        _outcomes[(mode, report.outcome)] += 1
        if report.outcome == "passed" and dict(report.user_properties).get("prism_flags_response"):
            _outcomes[(mode, "flagged")] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    parts = []
    for mode in ("sync", "async"):
        passed = _outcomes[(mode, "passed")]
        failed = _outcomes[(mode, "failed")]
        skipped = _outcomes[(mode, "skipped")]
        flagged = _outcomes[(mode, "flagged")]
        parts.append(
            f"{mode} {passed}/{passed + failed} passed ({skipped} skipped, "
            f"{flagged} with a mocked response Prism flags)"
        )
    terminalreporter.write_line("python conformance: " + "; ".join(parts))
