"""The paired channel (provisioning/channel.py) over the real setup service on loopback:
sealed requests work; replayed, altered, redirected and strangers' requests are refused with
401 and change nothing; an altered answer is caught by the laptop."""

from __future__ import annotations

import httpx
import pytest

from provisioning.channel import (ChannelError, PairedLaptops, open_answer, open_request,
                                  seal_answer, seal_request)
from provisioning.service import default_state, start_setup_service
from provisioning.technician import TechnicianError, TechnicianStore, call, pair


@pytest.fixture
def paired(tmp_path):
    calls = []

    def configure(_state, payload):
        calls.append(payload)
        return 200, {"configured": True, "echo": payload}

    state = default_state(tmp_path / "kiosk")
    state.configure = configure
    service = start_setup_service(state, host="127.0.0.1", port=0)
    store = TechnicianStore(tmp_path / "tech")
    device = pair(f"127.0.0.1:{service.port}", state.code.current(), store)
    yield state, service, store, device, calls
    service.stop()


def sealed(store, device, path, payload):
    laptop_id, _ = store.laptop()
    counter = store.take_counter(device.fingerprint)
    return seal_request(bytes.fromhex(device.key), laptop_id, counter, path, payload)


def test_a_sealed_request_is_carried_out_and_its_answer_opens(paired):
    _state, _service, store, device, calls = paired
    answer = call(store, device, "/setup/configure", {"office": "K1"})
    assert answer == {"configured": True, "echo": {"office": "K1"}}
    assert calls == [{"office": "K1"}]


def test_a_replayed_request_is_refused(paired):
    _state, service, store, device, calls = paired
    envelope = sealed(store, device, "/setup/configure", {"office": "K1"})
    first = httpx.post(f"{service.url}/setup/configure", json=envelope)
    assert first.status_code == 200
    again = httpx.post(f"{service.url}/setup/configure", json=envelope)
    assert again.status_code == 401 and "replayed" in again.json()["detail"]
    assert len(calls) == 1
    # an older request that was never sent is refused too: the counter only moves forward
    older = sealed(store, device, "/setup/configure", {"office": "K2"})
    newer = sealed(store, device, "/setup/configure", {"office": "K3"})
    assert httpx.post(f"{service.url}/setup/configure", json=newer).status_code == 200
    assert httpx.post(f"{service.url}/setup/configure", json=older).status_code == 401
    assert [c["office"] for c in calls] == ["K1", "K3"]


@pytest.mark.parametrize("tamper", ["box", "counter", "laptop", "path"])
def test_an_altered_request_is_refused(paired, tamper):
    _state, service, store, device, calls = paired
    envelope = sealed(store, device, "/setup/configure", {"office": "K1"})
    path = "/setup/configure"
    if tamper == "box":
        box = envelope["box"]
        envelope["box"] = box[:10] + ("A" if box[10] != "A" else "B") + box[11:]
    elif tamper == "counter":
        envelope["counter"] += 1
    elif tamper == "laptop":
        envelope["laptop"] = "another-laptop-id"
    else:
        path = "/setup/reset"        # a configure request sent to reset
    answer = httpx.post(f"{service.url}{path}", json=envelope)
    assert answer.status_code == 401
    assert calls == []
    # and the real request still goes through afterwards (the counter was not burnt)
    assert call(store, device, "/setup/configure", {"office": "K1"})["configured"] is True


def test_a_laptop_that_never_paired_gets_nothing(paired, tmp_path):
    state, service, _store, device, calls = paired
    stranger = TechnicianStore(tmp_path / "stranger")
    fake = type(device)(device.short_id, device.fingerprint, device.address, "11" * 32, 0)
    stranger.save(fake)
    with pytest.raises(TechnicianError) as err:
        call(stranger, fake, "/setup/reset", {})
    assert err.value.reason == "not_paired"
    assert calls == [] and len(PairedLaptops(state.data_dir).list()) == 1


def test_an_altered_or_replayed_answer_is_caught():
    key = bytes(range(32))
    answer = seal_answer(key, "laptop-1", 7, "/setup/configure", 200, {"ok": True})
    assert open_answer(key, "laptop-1", 7, "/setup/configure", 200, answer) == {"ok": True}
    with pytest.raises(ChannelError):   # the answer to another request
        open_answer(key, "laptop-1", 8, "/setup/configure", 200, {**answer, "counter": 8})
    with pytest.raises(ChannelError):   # a refusal passed off as a success
        open_answer(key, "laptop-1", 7, "/setup/configure", 422, answer)
    with pytest.raises(ChannelError):   # from another route
        open_answer(key, "laptop-1", 7, "/setup/reset", 200, answer)
    flipped = {**answer, "box": answer["box"][:-2] + ("AA" if answer["box"][-2:] != "AA" else "BB")}
    with pytest.raises(ChannelError):
        open_answer(key, "laptop-1", 7, "/setup/configure", 200, flipped)


def test_requests_and_answers_use_different_keys():
    """A request reflected back as an answer does not open."""
    key = bytes(range(32))
    request = seal_request(key, "laptop-1", 5, "/setup/configure", {"x": 1})
    assert open_request(key, "laptop-1", 5, "/setup/configure", request["box"]) == {"x": 1}
    with pytest.raises(ChannelError):
        open_answer(key, "laptop-1", 5, "/setup/configure", 200,
                    {"counter": 5, "box": request["box"]})
