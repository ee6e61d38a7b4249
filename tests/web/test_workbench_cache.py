"""The workbench answers a finished run's counts once per process (its findings never change
after it is stored), and counts a run that is not finished afresh on every request."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from auditor.web import accounts  # noqa: E402
from auditor.web.app import create_app  # noqa: E402


@pytest.fixture()
def setup(sample_db_copy):
    engine = sample_db_copy
    accounts.add_user(engine, "viewer", "viewer", "a long enough password")
    client = TestClient(create_app(engine, secure_cookies=False), follow_redirects=False)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": "viewer", "password": "a long enough password", "csrf": csrf})
    with engine.connect() as conn:
        run_id = conn.execute(sa.text("SELECT run_id FROM audit_runs WHERE status = 'finished'")).scalars().first()
    return engine, client, run_id


def _severity_row(html: str) -> list[int]:
    body = html.split('id="severity"', 1)[1].split("</table>", 1)[0]
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', body)]


def _add_finding(engine, run_id: str) -> None:
    with engine.begin() as conn:
        cols = [c["name"] for c in sa.inspect(conn).get_columns("findings") if c["name"] != "id"]
        sel = ", ".join("fingerprint || '-x'" if c == "fingerprint" else c for c in cols)
        conn.execute(sa.text(f"INSERT INTO findings ({', '.join(cols)}) SELECT {sel} FROM findings "  # noqa: S608
                             "WHERE run_id = :r AND COALESCE(kind, 'breach') = 'breach' LIMIT 1"), {"r": run_id})


def test_the_dashboard_counts_are_the_stores(setup):
    engine, client, run_id = setup
    with engine.connect() as conn:
        want = dict(conn.execute(sa.text(
            "SELECT severity, COUNT(*) FROM findings WHERE run_id = :r AND COALESCE(kind, 'breach') = 'breach' "
            "GROUP BY severity"), {"r": run_id}).all())
    first = client.get(f"/runs/{run_id}").text
    order = re.findall(r"<th>(\w+)</th>", first.split('id="severity"', 1)[1].split("</thead>", 1)[0])
    assert _severity_row(first) == [want.get(s, 0) for s in order] and sum(want.values()) > 0
    assert client.get(f"/runs/{run_id}").text == first  # answered again from the process's memory


def test_a_run_that_is_not_finished_is_counted_afresh(setup):
    engine, client, run_id = setup
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_runs SET status = 'running' WHERE run_id = :r"), {"r": run_id})
    before = sum(_severity_row(client.get(f"/runs/{run_id}").text))
    groups_before = client.get(f"/runs/{run_id}/findings?kind=breach").text
    _add_finding(engine, run_id)
    assert sum(_severity_row(client.get(f"/runs/{run_id}").text)) == before + 1
    assert client.get(f"/runs/{run_id}/findings?kind=breach").text != groups_before
