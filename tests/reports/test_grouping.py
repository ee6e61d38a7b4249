"""Findings at volume (issue 21): findings.csv written in chunks equals the one-frame text, and
pages with more findings than --page-findings show them grouped."""

from __future__ import annotations

import copy

from auditor.textsafe import csv_frame
from reports import aggregate, grouping, write_findings_csv, write_reports


def _one_frame_csv(model: dict, path) -> str:
    """findings.csv as it was written before the chunked writer: one frame of every finding."""
    csv_frame(aggregate.findings_frame(model)).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path.read_text(encoding="utf-8")


def test_findings_csv_in_chunks_equals_the_one_frame_text(model, tmp_path):
    model = copy.deepcopy(model)
    model["findings"][1]["message"] = "=HYPERLINK(\"x\")"  # formula-escaped in one chunk only
    model["findings"][4]["message"] = "line\nbreak, \"quoted\""
    for waived in (False, True):  # the waiver columns appear only when the findings carry them
        if waived:
            model["findings"][2].update(waived=True, waiver_reason="agreed", waiver_expires="2027-01-01")
        records = aggregate.findings_records(model)
        want = _one_frame_csv(model, tmp_path / "one.csv")
        for chunk in (1, 2, 4, 50_000):
            write_findings_csv(records, tmp_path / "chunked.csv", chunk=chunk)
            assert (tmp_path / "chunked.csv").read_text(encoding="utf-8") == want, (waived, chunk)
        assert ("waiver_reason" in want.splitlines()[0]) is waived
    empty = {**model, "findings": []}
    write_findings_csv([], tmp_path / "empty.csv")
    assert (tmp_path / "empty.csv").read_text(encoding="utf-8") == _one_frame_csv(empty, tmp_path / "e.csv")


def test_message_template_masks_ids_and_varying_numbers_not_articles():
    t = grouping.message_template
    a = t("Request R000000008 (FR → NL, cets224_art9): answered 705.0 hours after receipt", "R000000008")
    b = t("Request R000019956 (FR → NL, cets224_art9): answered 528.5 hours after receipt", "R000019956")
    assert a == b == "Request {request} (FR → NL, cets224_art9): answered # hours after receipt"
    assert t("Art. 8 request R1 seeks traffic data, but IE reserved Art. 8(13)", "R1") == \
        "Art. 8 request {request} seeks traffic data, but IE reserved Art. 8(13)"
    assert t("Disclosure D-7 for request R-7 lacks (7(3)(d))", "R-7", "D-7") == \
        "Disclosure {record} for request {request} lacks (7(3)(d))"


def test_groups_count_findings_per_check_party_provider_and_template(model):
    findings = aggregate.findings_records(model)
    base = [f for f in findings if f["check_id"] == "TIM002" and f["party"] == "FR" and f["kind"] == "breach"]
    assert len(base) == 2
    same = [{**f, "message": f"Request {f['request_id']} answered {n} days late"} for n, f in zip((12, 30), base, strict=True)]
    other = {**same[0], "provider": "chatapp", "request_id": "FR-9"}  # another provider: its own group
    waived = {**same[1], "request_id": "FR-8", "message": "Request FR-8 answered 3 days late", "waived": True}
    groups = grouping.finding_groups([*same, other, waived], {"TIM002": "Timely"})
    assert [(g["provider"], g["count"], g["waived"]) for g in groups] == [("examplemail", 3, 1), ("chatapp", 1, 0)]
    assert groups[0]["template"] == "Request {request} answered # days late"
    assert groups[0]["examples"] == [same[0]["request_id"], same[1]["request_id"], "FR-8"]
    many = [{**same[0], "request_id": f"FR-{i}", "message": f"Request FR-{i} answered 1 days late"} for i in range(9)]
    assert grouping.finding_groups(many, {})[0]["examples"] == [f"FR-{i}" for i in range(grouping.EXAMPLES)]


def test_a_grouped_page_is_smaller_than_the_list_and_keeps_every_count(model, tmp_path):
    """Forty findings of one check on one page: one group row of 40 with five examples, against
    forty rows when listed; the CSV still lists all of them. (HTML: tests/reports/test_render.py.)"""
    model = copy.deepcopy(model)
    f = next(x for x in model["findings"] if x["check_id"] == "TIM002" and x["party"] == "FR")
    model["findings"] += [{**f, "fingerprint": f"g{i}", "request_id": f"FR-2025-1{i:05d}",
                           "message": f"Request FR-2025-1{i:05d} answered {i} days late"} for i in range(40)]
    write_reports(model, tmp_path / "g", ("md", "csv"), page_findings=10)  # Markdown: no charts to draw
    write_reports(model, tmp_path / "l", ("md",), page_findings=0)
    page = (tmp_path / "g" / "party" / "FR.md").read_text(encoding="utf-8")
    row = next(r for r in page.splitlines() if "answered # days late" in r)
    assert "| Request {request} answered # days late | 40 | 0 |" in row
    assert row.count("FR-2025-1") == grouping.EXAMPLES and "(../findings.csv)" in page
    assert "answered 7 days late" in (tmp_path / "l" / "party" / "FR.md").read_text(encoding="utf-8")
    assert (tmp_path / "g" / "index.md").stat().st_size < (tmp_path / "l" / "index.md").stat().st_size
    assert (tmp_path / "g" / "findings.csv").read_text(encoding="utf-8").count("answered") == 40


def test_a_french_grouped_page_groups_the_translated_messages(model):
    """Grouped rows of a French page show the French message template, not the stored English."""
    from auditor.engine.registry import get
    from reports import _View, i18n

    model = copy.deepcopy(model)
    template = get("TIM002").message
    for c in model["checks"]:
        if c["id"] == "TIM002":
            c["message"] = template
    f = next(x for x in model["findings"] if x["check_id"] == "TIM002" and x["party"] == "FR")
    fresh = [{**f, "fingerprint": f"fr{i}", "request_id": f"FR-{i}", "message": template.format(
        request_id=f"FR-{i}", party="FR", receiving_party="US", provider="examplemail",
        state=f"the order sets the return of subscriber information for 2026-03-{10 + i:02d}, {25 + i} days after "
              "service (limit 20)")} for i in range(3)]
    view = _View(model, "fr", page_findings=1)
    rows = view.findings_table(fresh, [{"check_id": "TIM002", "title_l": "t"}], group=True)["rows"]
    french = i18n.message(fresh[0]["message"], template, "fr")
    assert "days after service" not in french and "jours" in french  # the catalogue translates it
    assert len(rows) == 1 and rows[0]["count"] == 3
    assert rows[0]["template"] == grouping.message_template(french, "FR-0")


def _groups_one_by_one(findings: list[dict], titles: dict[str, str]) -> list[dict]:
    """finding_groups as it was written before numpy: one pass of dicts (the oracle)."""
    rank = aggregate._severity_rank
    groups: dict[tuple, dict] = {}
    for f in findings:
        template = grouping.message_template(f.get("message") or "", f.get("request_id") or "", f.get("record_id"))
        key = (f["check_id"], f["party"], f["provider"], template)
        g = groups.get(key)
        if g is None:
            g = groups[key] = {
                "check_id": f["check_id"], "title": titles.get(f["check_id"], ""),
                "severity": f.get("severity") or "", "family": f.get("family") or "",
                "article": f.get("article") or "", "instrument": f.get("instrument") or "",
                "party": f["party"], "provider": f["provider"], "kind": f.get("kind") or "breach",
                "template": template, "count": 0, "waived": 0, "examples": [],
            }
        g["count"] += 1
        g["waived"] += bool(f.get("waived"))
        severity = f.get("severity") or ""
        if severity != g["severity"] and rank(severity) < rank(g["severity"]):
            g["severity"] = severity
        if len(g["examples"]) < grouping.EXAMPLES and f["request_id"] not in g["examples"]:
            g["examples"].append(f["request_id"])
    rows = list(groups.values())
    for g in rows:
        g["sev_rank"] = rank(g["severity"])
    rows.sort(key=lambda g: (g["sev_rank"], -g["count"], aggregate.natural_key(g["check_id"]), g["party"],
                             g["provider"], g["template"]))
    return rows


def test_groups_equal_the_one_by_one_grouping_on_pages_of_the_rendering_and_on_their_own():
    """numpy grouping == the dict-by-dict grouping: on random findings (unknown, empty and mixed-case
    severities, repeated requests, waivers, ids in the messages), for sub-lists of the rendering's
    records in their order and shuffled (found by identity) and for a list of the caller's own."""
    import random

    rnd = random.Random(7)
    severities = ["critical", "high", "High", "medium", "low", "info", "", None, "weird", "odd"]
    universe = []
    for i in range(3000):
        rid = f"R{rnd.randrange(400)}"
        universe.append({
            "check_id": rnd.choice(["TIM002", "MIN001", "RET010", "ONW003"]), "party": rnd.choice(["FR", "DE", ""]),
            "provider": rnd.choice(["mail", "chat"]), "request_id": rid, "record_id": rnd.choice([None, f"D{i}"]),
            "severity": rnd.choice(severities), "family": rnd.choice(["a", "b"]), "article": "Art. 14(3)",
            "instrument": "CETS 224", "kind": rnd.choice(["breach", "advisory", None]), "waived": rnd.random() < 0.2,
            "message": f"Request {rid} answered {rnd.randrange(3)} days late, Art. 8(13)" + rnd.choice(["", " x"]),
        })
    titles = {"TIM002": "Timely", "MIN001": "Minimal"}
    templates = grouping.Templates(universe=lambda: universe)
    pages = [universe, universe[:7], [f for f in universe if f["party"] == "FR"], universe[::-3],
             rnd.sample(universe, 500), []]
    for page in pages:
        assert grouping.finding_groups(page, titles, templates) == _groups_one_by_one(page, titles)
    own = [dict(f) for f in universe[:900]]  # not the rendering's records: grouped on their own
    assert grouping.finding_groups(own, titles, templates) == _groups_one_by_one(own, titles)
    assert grouping.finding_groups(own, titles) == _groups_one_by_one(own, titles)


def test_the_number_pattern_masks_what_it_masked_before_its_digit_lookahead():
    """grouping._NUMBER's leading (?=\\d) only speeds it up: on random text of digits, separators,
    brackets, "Art. " and non-ASCII digits it masks exactly what the pattern without it masked."""
    import random
    import re

    before = re.compile(r"(?<!Art\. )(?<![(\w.,:])\d+(?:[.,:]\d+)*(?![\w)])")
    rnd = random.Random(11)
    pieces = ["1", "22", "3.5", "7,0", "12:30", "Art. ", "Art. 8(13)", "(", ")", ".", ",", ":", " ", "a", "R-", "٣", "x9",
              "2025-05-26T02:00:05Z", "\n"]
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 12)))
        assert grouping._NUMBER.sub("#", text) == before.sub("#", text), text


def test_remembered_templates_are_the_templates(monkeypatch):
    """message_template with a ``numbered`` dict (one rendering's) gives what it gives without:
    ids replaced first, the number pattern's result remembered per text, at most NUMBERED_MAX
    texts (past it, still the same templates)."""
    import random

    monkeypatch.setattr(grouping, "NUMBERED_MAX", 50)
    rnd = random.Random(5)
    pieces = ["held ", "12", " days", "R-7", "Art. 14(4)", " (limit 365)", "D9", "2025-05-26", "é", ""]
    numbered: dict[str, str] = {}
    for _ in range(2000):
        message = "".join(rnd.choice(pieces) for _ in range(rnd.randrange(0, 6)))
        request, record = rnd.choice(["R-7", "", "12"]), rnd.choice(["D9", None, ""])
        want = grouping.message_template(message, request, record)
        assert grouping.message_template(message, request, record, numbered) == want
        assert grouping.message_template(message, request, record, numbered) == want  # remembered
    assert len(numbered) == 50
