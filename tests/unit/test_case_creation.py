"""One way to create a case (issue #18): a case registered at the counter, the same case taken over from
a ledger, and a generated case come out with the same row — every column, compared generically, so a
column written by one path only fails here — the same search entry and stored values, and verify
finds nothing after any of them."""

from desktop.documents.ledger_xlsx import write_ledger
from desktop.services import cases, ledger
from desktop.services.cases import rows_that_disagree_with_events
from desktop.services.generate import generate
from tests.helpers import person_form

# what differs between two cases of the same facts by nature: who and when, and the number
APART = {"id", "case_no", "created_at", "created_by"}


def _row(conn, case_id: int) -> dict:
    cur = conn.execute("SELECT * FROM cases WHERE id = ?", (case_id,))
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    return {n: row[i] for i, n in enumerate(names)}


def _search(conn, case_id: int) -> dict:
    key = "rowid" if conn.dialect == "sqlite" else "key"
    cur = conn.execute(f"SELECT {key} >> 32 AS day, * FROM case_search WHERE ({key} & 4294967295) = ?", (case_id,))
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == 1
    return {n: rows[0][i] for i, n in enumerate(names) if n not in ("rowid", "key")}


def _same(a: dict, b: dict) -> dict:
    return {k: (a.get(k), b.get(k)) for k in a.keys() | b.keys() if k not in APART and a.get(k) != b.get(k)}


def test_registered_imported_and_generated_cases_are_made_alike(registry, staff, tmp_path):
    conn = registry.conn
    form = person_form(remarks="来电补充了联系方式")
    registered = cases.register_case(registry, staff["clerk"], form).case_ids[0]
    assert rows_that_disagree_with_events(registry) == []

    values = dict.fromkeys(ledger.INPUT_COLUMNS, None)
    values.update({"收到日期": form["received_on"], "申请方式": form["channel"], "申请人类型": form["applicant_type"],
                   "申请人": form["name"], "证件类型": form["id_type"], "证件号码": form["id_number"],
                   "联系电话": form["phone"], "申请内容": form["request_text"], "备注": form["remarks"]})
    write_ledger(tmp_path / "one.xlsx", [values], 1, None, ledger.INPUT_COLUMNS)
    imported_no = ledger.import_ledger(registry, staff["clerk"], tmp_path / "one.xlsx").case_nos[0]
    imported = cases.case_id_by_number(registry, imported_no)
    assert rows_that_disagree_with_events(registry) == []
    assert _same(_row(conn, registered), _row(conn, imported)) == {}
    assert _search(conn, registered) == _search(conn, imported)

    # a generated case that is only registered, registered again at the counter with its facts
    generate(registry, 300, years=1, seed=5)
    assert rows_that_disagree_with_events(registry) == []
    generated = next(r[0] for r in conn.execute(
        "SELECT case_id FROM case_events WHERE case_id > ? GROUP BY case_id HAVING count(*) = 1 AND min(type) = 'register'"
        " ORDER BY case_id", (imported,)))
    g = cases.get_case(registry, generated)
    again = cases.register_case(registry, staff["clerk"], {
        "applicant_type": g["applicant_type"], "name": g["applicant_name"], "id_type": g["id_type"],
        "id_number": g["id_number"], "phone": g["phone"], "channel": g["channel"],
        "received_on": g["received_on"], "request_text": g["request_text"]}).case_ids[0]
    assert rows_that_disagree_with_events(registry) == []
    assert _same(_row(conn, generated), _row(conn, again)) == {}
    assert _search(conn, generated) == _search(conn, again)
    first = [conn.execute("SELECT type, effective_on, payload FROM case_events WHERE case_id = ? ORDER BY id",
                          (i,)).fetchall() for i in (generated, again)]
    assert [tuple(r) for r in first[0]] == [tuple(r) for r in first[1]]
