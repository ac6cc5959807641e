"""The figures `make bench` prints: ratios to the baselines and the issue's goals."""

from bench.run import goals, summarise


def raw(requests, seconds=10, p50=5_000, p99=15_000, status_errors=0, socket_errors=0):
    return {
        "requests": requests,
        "duration_us": seconds * 1_000_000,
        "p50_us": p50,
        "p99_us": p99,
        "status_errors": status_errors,
        "socket_errors": socket_errors,
    }


BASELINES = {"constant": 2000.0, "query": 1000.0}


def test_summary_has_rate_latencies_errors_ratios_and_memory():
    line = summarise("home", "uncached", raw(7000, status_errors=2, socket_errors=1), BASELINES,
                     [55.0, 56.5])  # fmt: skip
    assert line == {
        "target": "home",
        "variant": "uncached",
        "connections": 16,
        "requests_per_s": 700.0,
        "p50_ms": 5.0,
        "p99_ms": 15.0,
        "errors": 3,
        "ratio_constant": 0.35,
        "ratio_query": 0.7,
        "worker_peak_rss_mb": [55.0, 56.5],
    }


def test_goals_uncached_page():
    ok = summarise("p", "uncached", raw(6000, p99=99_000), BASELINES, [60.0])
    assert goals(ok, "page")["goals_met"] is True
    slow = summarise("p", "uncached", raw(5900, p99=120_000), BASELINES, [60.0])
    assert goals(slow, "page")["goals"] == {
        "no_errors": True,
        "ratio_query>=0.6": False,
        "p99<100ms": False,
        "rss<150MB": True,
    }


def test_goals_cached_page_errors_and_memory():
    line = summarise("p", "cached", raw(10_000, p99=19_000, status_errors=1), BASELINES, [151.0])
    assert goals(line, "page")["goals"] == {
        "no_errors": False,
        "ratio_constant>=0.5": True,
        "p99<20ms": True,
        "rss<150MB": False,
    }


def test_goals_form_flow_counts_lost_or_duplicated():
    line = summarise("flow", "cached", raw(5000), BASELINES, [60.0])
    line["lost_or_duplicated"] = -1
    assert goals(line, "form")["goals"] == {
        "no_errors": True,
        "ratio_query>=0.5": True,
        "none_lost_or_duplicated": False,
        "rss<150MB": True,
    }


def test_goals_results_page_uncached_is_its_own_latency_goal_cached_a_public_page():
    uncached = summarise("r", "uncached", raw(40, p99=290_000), BASELINES, [90.0], connections=1)
    assert uncached["connections"] == 1
    assert goals(uncached, "results")["goals"] == {
        "no_errors": True,
        "p99<300ms": True,
        "rss<150MB": True,
    }
    cached = summarise("r", "cached", raw(9000, p99=25_000), BASELINES, [90.0])
    assert goals(cached, "results")["goals"] == {
        "no_errors": True,
        "ratio_constant>=0.5": False,
        "p99<20ms": False,
        "rss<150MB": True,
    }


def test_cpu_table_compares_each_page_with_the_query_baseline():
    from bench.cpu import table

    lines = [
        {"target": "baseline: query+template", "variant": v, "path": "/_bench/query/",
         "cpu_ms": 0.5, "wall_ms": 0.7} for v in ("uncached", "cached")
    ] + [
        {"target": "home", "variant": "uncached", "path": "/", "cpu_ms": 2.0, "wall_ms": 3.0},
        {"target": "home", "variant": "cached", "path": "/", "cpu_ms": 0.4, "wall_ms": 0.5},
        {"target": "flow: survey submission", "variant": "cached", "path": "/b/",
         "cpu_ms": 5.0, "wall_ms": 6.0},
    ]  # fmt: skip
    rows = table(lines).splitlines()
    assert rows[2] == "| baseline: query+template `/_bench/query/` | 0.5 | 0.7 | 0.5 | 0.7 | – |"
    assert rows[3] == "| home `/` | 2.0 | 3.0 | 0.4 | 0.5 | 0.25 |"
    assert rows[4] == "| flow: survey submission `/b/` | – | – | 5.0 | 6.0 | – |"
