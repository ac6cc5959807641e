"""Markdown table of a bench run for BENCHMARKS.md: ``python -m bench.report [FILE]``
(default var/bench/latest.jsonl, written by every `make bench`)."""

import json
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "var" / "bench" / "latest.jsonl"


def table(lines: list[dict]) -> str:
    rows = [
        "| target | variant | req/s | p50 ms | p99 ms | errors | × constant | × query "
        "| × Wagtail | × bare Django | peak RSS/worker MB | goals |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    machines = [line["machine"] for line in lines if "machine" in line]
    default_connections = machines[0]["connections"] if machines else None
    for line in lines:
        if "machine" in line:
            continue
        if line["variant"] == "external":
            goals = "(baseline outside the portal)"
        elif "goals" in line:
            failed = [name for name, ok in line["goals"].items() if not ok]
            goals = "met" if not failed else "not met: " + ", ".join(failed)
        else:
            goals = "(baseline)"
        if "flows_completed" in line:
            goals += (
                f"; {line['flows_completed']} flows completed, {line['flows_failed']} failed,"
                f" {line.get('stored', '–')} stored"
            )
        variant = line["variant"]
        if line.get("connections", default_connections) != default_connections:
            variant += f", {line['connections']} conn."
        rows.append(
            f"| {line['target']} | {variant} | {line['requests_per_s']:.0f} "
            f"| {line['p50_ms']} | {line['p99_ms']} | {line['errors']} "
            f"| {line.get('ratio_constant', '–')} | {line.get('ratio_query', '–')} "
            f"| {line.get('ratio_wagtail', '–')} | {line.get('ratio_bare', '–')} "
            f"| {max(line['worker_peak_rss_mb'] or [0])} | {goals} |"
        )
    if machines:
        m = machines[0]
        rows.append("")
        rows.append(
            f"{m['cpus']} CPUs, {m['workers']} gunicorn workers, wrk {m['threads']} threads /"
            f" {m['connections']} connections, {m['seconds_per_target']} s per target; load"
            " average (1 min) before/after: "
            + " / ".join(str(x["load_average_1m"]) for x in machines)
        )
    return "\n".join(rows)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    lines = [json.loads(text) for text in path.read_text().splitlines() if text.strip()]
    print(table(lines))  # noqa: T201
