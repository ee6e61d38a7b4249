"""The report aggregates that count the findings once per rendering (issue 21, report stage at
volume) give what the per-page passes gave: kind/waiver split, trends, cached JSON text."""

from __future__ import annotations

import copy
import json

from reports import aggregate, compare, jsonio


def _model_with_waiver(model: dict) -> dict:
    model = copy.deepcopy(model)
    for i, f in enumerate(model["findings"]):
        f["waived"] = i % 3 == 0
        f.setdefault("waiver_reason", None)
        f.setdefault("waiver_expires", None)
    model["findings"][1]["kind"] = "advisory"
    return model


def test_parts_split_and_are_shared_while_memoized(model):
    model = _model_with_waiver(model)
    records = aggregate.findings_records(model)
    split = aggregate.parts(records)
    assert split.breach == [f for f in records if not aggregate.is_advisory(f)]
    assert split.advisory == [f for f in records if aggregate.is_advisory(f)] != []
    assert split.waived == [f for f in records if f.get("waived")] != []
    assert split.active_breach == [f for f in records if not f["waived"] and not aggregate.is_advisory(f)]
    assert split.active_advisory == [f for f in records if not f["waived"] and aggregate.is_advisory(f)]
    with aggregate.memoized(model):
        shared = aggregate.findings_records(model, party="DE")
        assert aggregate.parts(shared) is aggregate.parts(shared)  # computed once
        copied = list(shared)
        assert aggregate.parts(copied) is not aggregate.parts(copied)  # a list of its own: never cached
        assert aggregate.parts(copied) == aggregate.parts(shared)


def test_trend_table_gives_every_scope_trend(model):
    model = _model_with_waiver(model)
    findings = [f for f in aggregate.findings_records(model) if not aggregate.is_advisory(f)]
    findings.append({**findings[0], "party": "", "issued_at": None})  # no period: left out, like trend
    for gran in ("month", "quarter"):
        table = compare.trend_table(findings, gran)
        for key in (None, "party", "provider"):
            assert compare.trend_of(table, key) == compare.trend(findings, key, gran)
        for party in {f["party"] for f in findings}:
            mine = [f for f in findings if f["party"] == party]
            assert compare.trend_of(table, None, party=party) == compare.trend(mine, None, gran)
        for provider in {f["provider"] for f in findings}:
            mine = [f for f in findings if f["provider"] == provider]
            assert compare.trend_of(table, None, provider=provider) == compare.trend(mine, None, gran)


def test_cached_records_encode_alike_at_every_level():
    records = [{"id": i, "text": "é\n\"x\"", "n": None, "f": 0.5, "ok": i % 2 == 0} for i in range(2300)]
    cache = jsonio.Cache(records)
    docs = [records, {"findings": records[:1500]}, {"a": {"b": [records[3], 7, [records[4]]]}}, [], {"e": []}]
    for _ in range(2):  # the second time from the cached text, moved between levels
        for doc in docs:
            assert jsonio.dumps(doc, cache) == json.dumps(doc, indent=2, ensure_ascii=False, default=str)


def test_columns_of_shared_lists_give_what_the_dicts_give(model):
    """Inside ``memoized``, shared lists know their rows in the run's numpy columns and are split,
    grouped and counted from them (aggregate._rows); outside, dict by dict. Every aggregate a
    page shows is the same both ways (waivers, advisory findings, an unknown severity, a finding
    without Party or provider duty included), and a caller's own list is read dict by dict."""
    from reports import grouping, headline

    model = _model_with_waiver(model)
    model["findings"][2]["severity"] = "severe"  # not a known severity: counted under its own name
    model["findings"][3]["party"] = None
    model["findings"][4]["issued_at"] = None  # no period: left out of the trends
    model["findings"][6]["issued_at"] = "2025-02-30T00:00:00Z"  # not a day: parsed, no period either
    f = model["findings"][5]  # a group of several requests: its examples keep the findings' order
    model["findings"] += [{**f, "request_id": f"{f['request_id']}-{i}", "fingerprint": f"x{i}", "waived": i == 2,
                           "message": str(f["message"]).replace(str(f["request_id"]), f"{f['request_id']}-{i}")}
                          for i in (3, 1, 2, 0)]
    scopes = [(None, None)] + [(p, None) for p in aggregate.parties(model)] + \
             [(None, v) for v in aggregate.providers(model)] + [(p, v) for p in aggregate.parties(model)
                                                              for v in aggregate.providers(model)]

    def figures() -> list:
        out = []
        templates = grouping.Templates(universe=lambda: aggregate.findings_records(model))
        everything = aggregate.findings_records(model)
        for gran in ("month", "quarter"):  # the trend table of the breaches, in the order first met
            out.append(list(compare.trend_table(aggregate.parts(everything).breach, gran).items()))
        for party, provider in scopes:
            records = aggregate.findings_records(model, party, provider)
            split = aggregate.parts(records)
            results = aggregate.check_results(model, party, provider)
            out.append((records, tuple(split), aggregate.provider_split(records), results,
                        aggregate.compliance_summary(results, records), headline.headline(model, party, provider),
                        aggregate.instrument_rows(model, party, provider),
                        aggregate.findings_by_family(split.breach),
                        list(headline._tally(split.active_breach, "severity").items()),
                        sorted(headline._request_ids(split.active_breach)),
                        grouping.finding_groups(split.breach, {}, templates),
                        grouping.finding_groups(split.advisory, {}, templates),
                        aggregate.group_by(records, "instrument"),
                        aggregate.joined(aggregate.provider_split(records)[0], split.advisory)))
        # as text: a dict's (and a Counter's) order is part of what the pages and summary.json show
        return [json.dumps(x, default=str) for x in [*out, headline.ranking(model, "party"),
                                                     headline.ranking(model, "provider")]]

    plain = figures()
    with aggregate.memoized(model):
        assert aggregate._rows(aggregate.findings_records(model, "FR")) is not None  # read from the columns
        assert aggregate._rows(list(aggregate.findings_records(model, "FR"))) is None  # a list of its own
        columnar = figures()
    assert len(columnar) == len(plain) > 3
    for got, want in zip(columnar, plain, strict=True):
        assert got == want


def test_period_codes_label_every_value_as_period_label_does():
    """compare.period_codes (pyarrow for stored ISO UTC stamps, Python for the rest) gives each
    value compare.period_label's period: odd days, hours, fractions, other digits, None, text,
    datetimes and a list that cannot be hashed."""
    import datetime
    import random

    import pandas as pd

    rnd = random.Random(5)
    odd = ["2025-02-30T00:00:00Z", "2025-13-01T00:00:00Z", "2025-05-26T24:00:00Z", "2025-05-26T02:00:05.123Z",
           "2025-05-26T02:00:05", "2025-05-26", "٢٠٢٥-05-26T02:00:05Z", "2025-05-26T02:00:05Z\n", "", None, "soon",
           datetime.datetime(2024, 11, 3, 4, 5, tzinfo=datetime.UTC), pd.Timestamp("2023-07-01T00:00:00Z")]
    stamps = [f"{rnd.randrange(1990, 2031)}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 32):02d}T"
              f"{rnd.randrange(0, 25):02d}:{rnd.randrange(0, 60):02d}:{rnd.randrange(0, 60):02d}Z" for _ in range(2000)]
    for values in (stamps + odd, stamps, odd, [["not", "hashable"], *stamps[:5]], [1, True, 1.0], []):
        for gran in ("month", "quarter"):
            codes, names = compare.period_codes(values, gran)
            assert [names[c] for c in codes.tolist()] == [compare.period_label(v, gran) for v in values]


def test_weight_sums_from_the_columns_are_the_running_sums_bit_for_bit():
    """aggregate.weight_sums of a shared list (numpy, from the run's columns) gives the floats a
    dict of running sums gives, in the order first met: weights that are not exact in binary,
    a severity without a weight, ids that are None, "" or not text (1 and "1" are one request)."""
    import random

    rnd = random.Random(3)
    findings = [{"run_id": "R", "check_id": "C", "severity": rnd.choice(["critical", "high", "low", None, "odd"]),
                 "party": rnd.choice(["DE", "FR"]), "provider": "P", "kind": "breach",
                 "request_id": rnd.choice([None, "", 1, "1", *[f"Q{i}" for i in range(40)]])} for _ in range(3000)]
    weights = {"critical": 0.1, "high": 0.7, "low": 1 / 3}
    model = {"run": {"run_id": "R"}, "findings": findings}
    with aggregate.memoized(model):
        for party in ("DE", "FR"):
            shared = aggregate.findings_records(model, party=party)
            assert aggregate._rows(shared) is not None  # the columns path
            want = aggregate.weight_sums(list(shared), "request_id", "severity", weights)  # dict by dict
            got = aggregate.weight_sums(shared, "request_id", "severity", weights)
            assert [v.hex() for v in got] == [v.hex() for v in want] and len(want) > 10


def test_diff_counts_from_the_columns_are_the_dict_counts(model):
    """compare._diff_counts of a shared list (its fingerprints' status once per rendering) counts
    what the finding-by-finding lookup counts, on every Party's and provider's list."""
    model = copy.deepcopy(model)
    fps = [f["fingerprint"] for f in model["findings"]]
    model["diff"] = {"previous_run_id": "run-0", "new": fps[::3], "persisting": fps[1::3], "resolved": []}
    status = compare.diff_status(model)
    with aggregate.memoized(model):
        scopes = [{}] + [{"party": p} for p in {f["party"] for f in model["findings"]}]
        scopes += [{"provider": p} for p in {f["provider"] for f in model["findings"]}]
        for kw in scopes:
            shared = aggregate.findings_records(model, **kw)
            assert aggregate._rows(shared) is not None
            got = compare._diff_counts(shared, status)
            assert got == compare._diff_counts(list(shared), status)
        # the run: a third new, a third persisting, a third in neither list
        assert compare._diff_counts(aggregate.findings_records(model), status) == (len(fps[::3]), len(fps[1::3]))
        assert compare.diff_summary(model)["new"] == len(fps[::3]) and len(set(fps)) == len(fps)
