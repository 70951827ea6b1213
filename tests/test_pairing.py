"""Pairing a laptop with a kiosk (issue 15 item 3): SPAKE2 over the setup code, bound to the
kiosk's key fingerprint, over real HTTP on loopback (the setup service under uvicorn).

A right code pairs both sides; a wrong one fails and spends the code; five wrong ones bring a
growing wait (429 with Retry-After) and the sixth try gets it; a man in the middle on
loopback, relaying with its own device key or announcing its own fingerprint, fails; a rogue
device with its own setup service never gets a pairing.
"""

from __future__ import annotations

import stat

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response

from provisioning import device
from provisioning.channel import PAIRED_FILE, PairedLaptops
from provisioning.pairing import b64, unb64
from provisioning.service import SetupService, default_state, start_setup_service
from provisioning.setup_code import FIRST_DELAY_S, MAX_FAILURES, SetupCode
from provisioning.technician import TechnicianError, TechnicianStore, call, pair


class FakeMonotonic:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock():
    return FakeMonotonic()


@pytest.fixture
def kiosk(tmp_path, clock):
    state = default_state(tmp_path / "kiosk", code=SetupCode(monotonic=clock))
    service = start_setup_service(state, host="127.0.0.1", port=0)
    yield state, service
    service.stop()


@pytest.fixture
def store(tmp_path):
    return TechnicianStore(tmp_path / "tech")


def address(service) -> str:
    return f"127.0.0.1:{service.port}"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_right_code_pairs_both_sides_and_opens_the_channel(kiosk, store):
    state, service = kiosk
    code = state.code.current()
    paired = pair(address(service), code, store, expect_id=state.identity.short_id)
    assert paired.fingerprint == state.identity.fingerprint
    assert paired.short_id == state.identity.short_id
    assert store.find(state.identity.short_id.replace("-", "").lower()) == paired
    # both sides keep the key privately
    laptop_id, _ = store.laptop()
    kept = PairedLaptops(state.data_dir).get(laptop_id)
    assert kept is not None and kept.key.hex() == paired.key
    for path in (state.data_dir / PAIRED_FILE, store.root / "devices.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert state.code.current() != code       # the code is spent even on success
    answer = call(store, paired, "/setup/diagnostics", {})
    assert answer["provisioned"] is False


def test_a_wrong_code_fails_and_spends_the_code(kiosk, store):
    state, service = kiosk
    code = state.code.current()
    with pytest.raises(TechnicianError) as err:
        pair(address(service), wrong(code), store)
    assert err.value.reason == "wrong_code"
    assert "wrong code: a new code is on the kiosk's screen" in str(err.value)
    assert state.code.current() != code
    assert store.devices() == [] and PairedLaptops(state.data_dir).list() == []
    # the old, right code is worth nothing now
    with pytest.raises(TechnicianError) as err:
        pair(address(service), code, store)
    assert err.value.reason == "wrong_code"


def test_five_wrong_codes_bring_a_new_code_and_a_growing_delay(kiosk, store, clock):
    state, service = kiosk
    codes = []
    for attempt in range(MAX_FAILURES):
        codes.append(state.code.current())
        with pytest.raises(TechnicianError) as err:
            pair(address(service), wrong(codes[-1]), store)
        assert err.value.reason == "wrong_code"
    assert err.value.retry_after == pytest.approx(FIRST_DELAY_S)
    assert len(set(codes + [state.code.current()])) == MAX_FAILURES + 1  # a new code each time
    # the sixth try, even with the right (new) code, waits
    sixth = state.code.current()
    with pytest.raises(TechnicianError) as err:
        pair(address(service), sixth, store)
    assert err.value.reason == "delayed" and err.value.retry_after > 0
    assert "wait" in str(err.value)
    raw = httpx.post(f"{service.url}/pair/start", json={
        "laptop_id": "laptop-raw-0001", "message": b64(b"A" + bytes(32))})
    assert raw.status_code == 429 and int(raw.headers["Retry-After"]) >= FIRST_DELAY_S
    assert state.code.current() == sixth          # a refused try spends nothing
    # after the wait, the code on the screen works
    clock.t += FIRST_DELAY_S + 1
    assert pair(address(service), state.code.current(), store).fingerprint == \
        state.identity.fingerprint
    # one more wrong run after a success starts the count again (no delay)
    with pytest.raises(TechnicianError) as err:
        pair(address(service), wrong(state.code.current()), store)
    assert err.value.reason == "wrong_code" and err.value.retry_after == 0


def test_the_delay_grows_after_each_further_wrong_code(kiosk, store, clock):
    state, service = kiosk
    delays = []
    for attempt in range(MAX_FAILURES + 2):
        clock.t += 10_000      # past any wait
        with pytest.raises(TechnicianError) as err:
            pair(address(service), wrong(state.code.current()), store)
        delays.append(err.value.retry_after)
    assert delays[:MAX_FAILURES - 1] == [0] * (MAX_FAILURES - 1)
    assert delays[MAX_FAILURES - 1] < delays[MAX_FAILURES] < delays[MAX_FAILURES + 1]


def test_an_abandoned_run_spends_its_code(kiosk):
    state, service = kiosk
    code = state.code.current()
    first = httpx.post(f"{service.url}/pair/start", json={
        "laptop_id": "laptop-raw-0001", "message": b64(_msg_a(code))})
    assert first.status_code == 200
    assert state.code.failures == 0    # the run is open: its code stays on the screen
    second = httpx.post(f"{service.url}/pair/start", json={
        "laptop_id": "laptop-raw-0002", "message": b64(_msg_a(state.code.current()))})
    # the first run ended as a failure: a new code, used by the second run
    assert second.status_code == 200 and state.code.failures == 1
    assert state.code.current() != code
    stale = httpx.post(f"{service.url}/pair/finish", json={
        "session": first.json()["session"], "confirm": b64(bytes(32))})
    assert stale.status_code == 409


def _msg_a(code: str) -> bytes:
    from spake2 import SPAKE2_A

    return SPAKE2_A(code.encode()).start()


# --- men in the middle and rogue devices ------------------------------------------------


class Relay:
    """A man in the middle on loopback: forwards to the real kiosk, and tampers as told."""

    def __init__(self, target: str, rogue_dir, *, fake_info: bool = False,
                 fake_proof: bool = False, tamper_answers: bool = False) -> None:
        from kiosk import identity

        self.rogue_key = identity.load_or_create(rogue_dir)
        self.rogue = device.load(rogue_dir)
        app = FastAPI()

        @app.api_route("/{path:path}", methods=["GET", "POST"])
        async def forward(path: str, request: Request) -> Response:
            async with httpx.AsyncClient() as client:
                answer = await client.request(request.method, f"{target}/{path}",
                                              content=await request.body(),
                                              headers={"content-type": "application/json"})
            body = answer.content
            if fake_info and path == "setup/info":
                info = answer.json() | {"fingerprint": self.rogue.fingerprint,
                                        "id": self.rogue.short_id}
                body = httpx.Response(200, json=info).content
            if fake_proof and path == "pair/finish" and answer.status_code == 200:
                data = answer.json()
                # it cannot sign the transcript it never saw; it signs what it can
                data["public_key"] = b64(identity.public_bytes(self.rogue_key))
                data["signature"] = b64(self.rogue_key.sign(unb64(data["confirm"])))
                body = httpx.Response(200, json=data).content
            if tamper_answers and request.method == "POST" and path.startswith("setup/") \
                    and answer.status_code == 200:
                data = answer.json()
                box = data["box"]
                data["box"] = box[:-3] + ("AAA" if box[-3:] != "AAA" else "BBB")
                body = httpx.Response(200, json=data).content
            return Response(body, status_code=answer.status_code,
                            media_type="application/json")

        self.service = SetupService(app, "127.0.0.1", 0).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.service.port}"


def test_a_relay_announcing_its_own_fingerprint_fails(kiosk, store, tmp_path):
    state, service = kiosk
    relay = Relay(service.url, tmp_path / "rogue", fake_info=True)
    try:
        with pytest.raises(TechnicianError) as err:
            pair(relay.address, state.code.current(), store)
        # bound to the wrong fingerprint, the laptop's key differs: the kiosk sees a wrong code
        assert err.value.reason == "wrong_code"
        assert store.devices() == [] and PairedLaptops(state.data_dir).list() == []
        # with the short id from the kiosk's screen, the laptop does not even try
        with pytest.raises(TechnicianError) as err:
            pair(relay.address, state.code.current(), store, expect_id=state.identity.short_id)
        assert err.value.reason == "rogue_device"
    finally:
        relay.service.stop()


def test_a_relay_passing_off_its_own_device_key_fails(kiosk, store, tmp_path):
    state, service = kiosk
    relay = Relay(service.url, tmp_path / "rogue", fake_proof=True)
    try:
        with pytest.raises(TechnicianError) as err:
            pair(relay.address, state.code.current(), store)
        assert err.value.reason == "rogue_device"
        assert store.devices() == []
    finally:
        relay.service.stop()


def test_a_rogue_device_with_its_own_key_gets_no_pairing(kiosk, store, tmp_path):
    """A rogue kiosk on the LAN: the technician types the real kiosk's code into it."""
    state, _service = kiosk
    rogue_state = default_state(tmp_path / "rogue")
    rogue = start_setup_service(rogue_state, host="127.0.0.1", port=0)
    try:
        with pytest.raises(TechnicianError) as err:
            pair(address(rogue), state.code.current(), store)
        assert err.value.reason == "wrong_code"
        assert store.devices() == []
    finally:
        rogue.stop()


def test_an_honest_relay_learns_nothing_it_can_use(kiosk, store, tmp_path):
    """A relay that only forwards: pairing works, but what it saw opens nothing."""
    state, service = kiosk
    relay = Relay(service.url, tmp_path / "rogue")
    try:
        paired = pair(relay.address, state.code.current(), store)
        assert paired.fingerprint == state.identity.fingerprint
        answer = call(store, paired, "/setup/diagnostics", {})
        assert "version" in answer
    finally:
        relay.service.stop()


def test_a_relay_that_alters_the_kiosks_answers_is_caught(kiosk, store, tmp_path):
    state, service = kiosk
    relay = Relay(service.url, tmp_path / "rogue", tamper_answers=True)
    try:
        paired = pair(relay.address, state.code.current(), store)
        with pytest.raises(TechnicianError) as err:
            call(store, paired, "/setup/diagnostics", {})
        assert err.value.reason == "bad_answer" and "altered" in str(err.value)
    finally:
        relay.service.stop()
