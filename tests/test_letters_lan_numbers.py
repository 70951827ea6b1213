"""Letter numbers stay gapless and unique when two staff PCs approve at once across the
office LAN (issue 13): each approval takes its number in the edge's one transaction."""

from __future__ import annotations

import threading

from kiosk.cli.compose import office_features
from kiosk.letters import issuing, operations as letters
from sync.lan.client import RemoteOffice
from tests.lan_support import TOKEN, edge_in_thread
from test_ui_letters import _applicant, _details

PER_CLIENT = 12


def test_two_lan_clients_approving_at_once_get_gapless_unique_numbers(runtime):
    codes = [letters.submit_request(runtime, "SKU", _applicant(), _details()).code
             for _ in range(2 * PER_CLIENT)]
    for code in codes:                     # verified, ready to approve
        ticks = {item: True for item in issuing.checklist_of(runtime, code)}
        issuing.verify_request(runtime, code, ticks, staff_id="emp-2002")
    numbers: list[str] = []
    errors: list[BaseException] = []
    with edge_in_thread(runtime) as edge:
        def staff_pc(mine: list[str]) -> None:
            with RemoteOffice(edge.url, TOKEN, office_features()) as office:
                try:
                    for code in mine:
                        numbers.append(office.letters.approve_request(code, staff_id="emp-2002")
                                       .number)
                except BaseException as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)

        pcs = [threading.Thread(target=staff_pc, args=(codes[i::2],)) for i in range(2)]
        for pc in pcs:
            pc.start()
        for pc in pcs:
            pc.join(60)
    assert errors == []
    seqs = sorted(int(n.split("/")[1]) for n in numbers)
    assert seqs == list(range(1, 2 * PER_CLIENT + 1))          # gapless, each once
    stored = runtime.db.execute("SELECT count(DISTINCT number) FROM issued_letters").fetchone()[0]
    assert stored == 2 * PER_CLIENT
