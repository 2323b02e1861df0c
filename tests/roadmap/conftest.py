"""Reporting for the schemathesis run (tests/roadmap/test_api_schemathesis.py)."""

from collections import Counter

# The operation of every case sent, appended by the test as it runs.
schemathesis_cases: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if not schemathesis_cases:
        return
    per_operation = Counter(schemathesis_cases)
    terminalreporter.write_sep("-", "schemathesis")
    terminalreporter.write_line(
        f"schemathesis: {len(schemathesis_cases)} cases over {len(per_operation)} API operations")
