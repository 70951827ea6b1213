"""Configuring a paired kiosk (provisioning/configure.py) and the technician's commands
(kiosk/cli/provision_pair.py), against a real setup service on loopback.

A bad configuration is refused naming the key, and nothing is written; a city server that
does not answer leaves the token for a retry, which enrolls once the server is up; a token
the city refuses writes nothing; the admin PIN is only ever stored hashed and never echoed;
the CLI's refusals are one clear line (wrong code, wait, not paired); reset calls the
kiosk's reset over the paired channel.
"""

from __future__ import annotations

import json
import stat
import subprocess

import pytest
from click.testing import CliRunner

from kiosk import config as config_mod
from kiosk.cli import main
from provisioning import configure
from provisioning.configure import PENDING_FILE, payload, retry_pending_enrollment
from provisioning.service import default_state, start_setup_service
from provisioning.technician import TechnicianError, TechnicianStore, call, pair
from tests.sync_support.procs import KIOSK, ServerProcess, env, free_port


@pytest.fixture
def kiosk(tmp_path, monkeypatch):
    monkeypatch.setattr(configure, "PRINT_WAIT_S", 0.2)   # no print worker here
    events = {"configured": 0, "reset": 0}
    state = default_state(tmp_path / "kiosk",
                          on_configured=lambda: events.__setitem__("configured",
                                                                   events["configured"] + 1))

    def reset(force: bool = False) -> dict:
        events["reset"] += 1
        return {"reset": True, "flushed": 0}

    state.reset = reset
    service = start_setup_service(state, host="127.0.0.1", port=0)
    store = TechnicianStore(tmp_path / "tech")
    device = pair(f"127.0.0.1:{service.port}", state.code.current(), store)
    yield state, service, store, device, events
    service.stop()


def settings(**over) -> dict:
    base = {"office": "K1", "server": "", "printer": "dummy://", "role": "citizen",
            "admin_pin": "2468"}
    base.update(over)
    return payload(**base)


@pytest.mark.parametrize("over,key", [
    ({"timezone": "CET"}, "office.timezone"),
    ({"printer": "lpt1"}, "printer.uri"),
    ({"role": "janitor"}, "device.roles"),
    ({"admin_pin": "12"}, "admin.pin"),
    ({"admin_pin": None}, "admin.pin"),
    ({"server": "ftp://city"}, "sync.server"),
    ({"office": "K 1!"}, "office.code"),
    ({"lan_token": "short"}, "lan.token"),
    ({"edge_url": "edge.local"}, "lan.edge_url"),
])
def test_a_bad_configuration_is_refused_by_key_and_nothing_is_written(kiosk, over, key):
    state, _service, store, device, events = kiosk
    with pytest.raises(TechnicianError) as err:
        call(store, device, "/setup/configure", settings(**over))
    assert err.value.status == 422 and err.value.body["field"] == key, err.value.body
    assert key in str(err.value)
    assert not config_mod.config_path(state.data_dir).exists()
    assert events["configured"] == 0


def test_unknown_sections_and_keys_are_refused(kiosk):
    state, _service, store, device, _events = kiosk
    body = settings()
    body["config"]["admin"] = {"pin_hash": "scrypt$1$1$1$00$00"}
    with pytest.raises(TechnicianError) as err:
        call(store, device, "/setup/configure", body)
    assert err.value.body["field"] == "admin"
    body = settings()
    body["config"]["office"]["colour"] = "red"
    with pytest.raises(TechnicianError) as err:
        call(store, device, "/setup/configure", body)
    assert err.value.body["field"] == "office.colour"
    assert not config_mod.config_path(state.data_dir).exists()


def test_a_good_configuration_is_saved_with_the_pin_hashed(kiosk):
    state, _service, store, device, events = kiosk
    answer = call(store, device, "/setup/configure",
                  settings(name="Kelurahan Satu", timezone="wita"))
    cfg = config_mod.load(state.data_dir)
    assert cfg.office.name == "Kelurahan Satu" and cfg.office.timezone == "WITA"
    assert cfg.check_pin("2468") and "2468" not in config_mod.config_path(state.data_dir).read_text()
    assert answer["configured"] and answer["lan_token"] == cfg.lan.token
    assert answer["enrollment"]["status"] == "skipped"
    assert answer["test_receipt"]["job_id"] and events["configured"] == 1
    assert state.provisioned
    # configured again (the same laptop): the device id stays, the PIN may stay
    again = call(store, device, "/setup/configure", settings(admin_pin=None, role="counter"))
    assert again["device_id"] == answer["device_id"] and "lan_token" in again
    assert config_mod.load(state.data_dir).check_pin("2468")


def test_a_device_that_is_not_the_edge_prints_its_test_receipt_itself(kiosk, tmp_path):
    state, _service, store, device, _events = kiosk
    paper = tmp_path / "counter-printer.bin"
    answer = call(store, device, "/setup/configure",
                  settings(printer=f"file://{paper}", edge_url="http://127.0.0.1:9",
                           lan_token="office-lan-token-0123", server="http://127.0.0.1:9",
                           enroll_token="not-used-here"))
    assert answer["test_receipt"]["status"] == "done", answer
    assert paper.read_bytes().startswith(b"\x1b@") and b"CETAK UJI" in paper.read_bytes()
    assert answer["enrollment"]["status"] == "skipped" and "lan_token" not in answer
    assert config_mod.load(state.data_dir).lan.edge_url == "http://127.0.0.1:9"


def test_an_offline_city_keeps_the_token_and_the_kiosk_enrolls_later(kiosk, tmp_path):
    state, _service, store, device, _events = kiosk
    city_db = f"sqlite:///{tmp_path / 'city.db'}"
    srv = ["--data-dir", str(tmp_path / "srv")]
    subprocess.run([*KIOSK, *srv, "server", "office", "add", "K1", "Kelurahan Satu", "--db",
                    city_db], check=True, env=env(), capture_output=True)
    token = subprocess.run([*KIOSK, *srv, "server", "enroll-token", "--office", "K1", "--db",
                            city_db], check=True, env=env(), capture_output=True,
                           text=True).stdout.strip()
    server = ServerProcess(city_db, tmp_path / "srv", port=free_port())
    answer = call(store, device, "/setup/configure",
                  settings(server=server.url, enroll_token=token))
    assert answer["enrollment"]["status"] == "pending", answer
    pending = state.data_dir / PENDING_FILE
    assert stat.S_IMODE(pending.stat().st_mode) == 0o600
    assert config_mod.config_path(state.data_dir).exists()
    assert retry_pending_enrollment(state.data_dir)["status"] == "pending"   # still down
    server.start()
    try:
        assert retry_pending_enrollment(state.data_dir) == {"status": "enrolled"}
        assert not pending.exists() and retry_pending_enrollment(state.data_dir) is None
        # the same configure again (a laptop that lost the answer): still enrolled, no refusal
        again = call(store, device, "/setup/configure",
                     settings(server=server.url, enroll_token=token))
        assert again["enrollment"]["status"] == "enrolled", again
        # a token the city refuses (used already, for another office): 422, nothing written
        config_mod.config_path(state.data_dir).unlink()
        with pytest.raises(TechnicianError) as err:
            call(store, device, "/setup/configure", settings(office="K2", server=server.url,
                                                             enroll_token=token))
        assert err.value.body["field"] == "enroll_token"
        assert not config_mod.config_path(state.data_dir).exists()
    finally:
        server.stop()


def test_a_configured_kiosk_pairs_no_new_laptop_unless_opened(kiosk, tmp_path):
    state, service, store, device, _events = kiosk
    call(store, device, "/setup/configure", settings())
    other = TechnicianStore(tmp_path / "other")
    with pytest.raises(TechnicianError) as err:
        pair(f"127.0.0.1:{service.port}", state.code.current(), other)
    assert err.value.status == 409 and "admin screen" in str(err.value)
    state.pairing_open = lambda: True           # the admin screen shows the code
    assert pair(f"127.0.0.1:{service.port}", state.code.current(), other).short_id == \
        state.identity.short_id
    # the first laptop still reaches it
    assert call(store, device, "/setup/diagnostics", {})["provisioned"] is True


# --- the CLI ------------------------------------------------------------------------------


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_cli_pair_wrong_code_then_right_code(tmp_path):
    state = default_state(tmp_path / "kiosk")
    service = start_setup_service(state, host="127.0.0.1", port=0)
    store = str(tmp_path / "tech")
    address = f"127.0.0.1:{service.port}"
    try:
        code = state.code.current()
        bad = f"{(int(code) + 1) % 1_000_000:06d}"
        result = run("provision", "pair", state.identity.short_id, "--address", address,
                     "--code", bad, "--store", store)
        assert result.exit_code == 2
        assert "Kode salah/wrong code: a new code is on the kiosk's screen" in result.output
        result = run("provision", "pair", address, "--code", state.code.current(),
                     "--store", store, "--json")
        assert result.exit_code == 0, result.output
        shown = json.loads(result.output)
        assert shown["id"] == state.identity.short_id and "key" not in shown
        for _ in range(5):
            run("provision", "pair", address, "--code", "000000" if state.code.current() != "000000"
                else "111111", "--store", store)
        result = run("provision", "pair", address, "--code", state.code.current(), "--store", store)
        assert result.exit_code == 2 and "wait" in result.output and "detik" in result.output
    finally:
        service.stop()


def test_cli_configure_reads_the_pin_without_echo_and_reset_needs_yes(kiosk, tmp_path):
    state, service, store, device, events = kiosk
    common = ["--store", str(store.root), "--address", f"127.0.0.1:{service.port}"]
    result = run("provision", "configure", device.short_id, "--office", "K1", "--server",
                 "http://127.0.0.1:9", "--printer", "dummy://", "--role", "citizen",
                 "--admin-pin-stdin", "--json", *common, input="97531\n")
    assert result.exit_code == 0, result.output
    assert "97531" not in result.output
    answer = json.loads(result.output)
    assert answer["enrollment"]["status"] == "skipped" and answer["office"] == "K1"
    assert config_mod.load(state.data_dir).check_pin("97531")
    bad = run("provision", "configure", device.short_id, "--office", "K1", "--server",
              "http://127.0.0.1:9", "--printer", "lp0", "--role", "citizen", *common)
    assert bad.exit_code == 2 and "printer.uri" in bad.output
    assert run("provision", "reset", device.short_id, *common).exit_code != 0
    assert events["reset"] == 0
    result = run("provision", "reset", device.short_id, "--yes", "--json", *common)
    assert result.exit_code == 0 and json.loads(result.output)["reset"] is True
    assert events["reset"] == 1


def test_cli_commands_on_a_kiosk_that_is_not_paired(tmp_path):
    result = run("provision", "reset", "7F3K-Q2MA", "--yes", "--store", str(tmp_path / "t"))
    assert result.exit_code == 2 and "not paired" in result.output
    result = run("provision", "pair", "7F3K-Q2MA", "--code", "123456", "--store",
                 str(tmp_path / "t"))
    assert result.exit_code == 2 and "--address" in result.output


def test_reset_over_the_channel_names_the_unsent_count_and_needs_force(demo_dir, tmp_path):
    """The real reset behind the paired channel: the kiosk cannot reach a city, so it
    refuses with the count and wipes nothing; --force then wipes keys and data."""
    from kiosk import identity, queue
    from kiosk.runtime import open_runtime

    rt = open_runtime(demo_dir)
    try:
        queue.issue_ticket(rt, queue.list_services(rt)[0].id)
    finally:
        rt.close()
    state = default_state(demo_dir)
    state.pairing_open = lambda: True        # a configured kiosk whose admin opened pairing
    service = start_setup_service(state, host="127.0.0.1", port=0)
    try:
        store = TechnicianStore(tmp_path / "tech")
        device = pair(f"127.0.0.1:{service.port}", state.code.current(), store)
        common = ["--store", str(store.root), "--address", f"127.0.0.1:{service.port}"]
        refused = run("provision", "reset", device.short_id, "--yes", *common)
        assert refused.exit_code != 0 and "not yet sent to the city" in refused.output
        assert "--force" in refused.output
        assert config_mod.config_path(demo_dir).exists()
        assert identity.key_path(demo_dir).exists()
        done = run("provision", "reset", device.short_id, "--yes", "--force", "--json", *common)
        assert done.exit_code == 0, done.output
        assert json.loads(done.output)["reset"] is True
        assert not config_mod.config_path(demo_dir).exists()
        assert not (demo_dir / "kiosk.db").exists() and not (demo_dir / "paired-laptops.json").exists()
    finally:
        service.stop()
