"""The attendance terminal's camera path.

    python bench/attendance.py [--seconds 5] [--rounds 5]

1. scan loop: frames per second at 640x480 from the replay source (the QR photos of
   ../shared/testdata/qr fitted into 640x480, played as fast as they are read) through
   devices.qr (goal >= 15 on this machine; a Raspberry Pi 4 is 5-10x slower);
2. QR decoding on every photo of ../shared/testdata/qr: devices.qr's zxing backend next to
   raw zxing-cpp (QR only, plain text) in the same run, alternately, image by image:
   hit rate and mean ms (goal: the same hit rate, at most 2x the time); pyzbar too;
3. face verification (detect + embed + match) ms at 320x240 on ../shared/testdata/faces
   (keys face_ms, face_detect_ms, face_embed_ms; goal <= 100 ms here);
4. badge-to-greeting latency through the replay source.

The last line of output is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import zxingcpp  # noqa: E402

from devices.camera import open_camera  # noqa: E402
from devices.qr import QrBackendUnavailable, open_decoder  # noqa: E402
from tests.camera_support import QR_DIR, SUFFIXES  # noqa: E402


def samples() -> list[tuple[Path, np.ndarray, str]]:
    if not QR_DIR.is_dir():
        raise SystemExit(f"the QR test photos are not at {QR_DIR}")
    out = []
    for path in sorted(p for p in QR_DIR.rglob("*") if p.suffix in SUFFIXES):
        out.append((path, cv2.imread(str(path), cv2.IMREAD_COLOR),
                    path.with_suffix(".txt").read_bytes().decode("utf-8")))
    return out


def raw_zxing(image: np.ndarray) -> list[str]:
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode,
                                   text_mode=zxingcpp.TextMode.Plain)
    return [r.text for r in found]


def scan_loop(seconds: float, backend: str) -> dict:
    """The terminal's loop: wait for a newer frame than the last one scanned, decode it."""
    decoder = open_decoder(backend)
    with tempfile.TemporaryDirectory() as tmp:
        for n, (path, _, _) in enumerate(samples()):
            shutil.copy(path, Path(tmp) / f"{n:03d}{path.suffix}")
        camera = open_camera(f"replay:{tmp}?fps=1000", width=640, height=480)
        with camera:
            frame = camera.next_frame(0, timeout=10)
            if frame is None:
                raise SystemExit(f"the replay camera gave no frame: {camera.status().detail}")
            scanned = with_code = 0
            ms: list[float] = []
            start = time.perf_counter()
            while time.perf_counter() - start < seconds:
                frame = camera.next_frame(frame.seq, timeout=2)
                if frame is None:
                    raise SystemExit(f"the replay camera stalled: {camera.status().detail}")
                t = time.perf_counter()
                found = decoder.decode(frame.image)
                ms.append((time.perf_counter() - t) * 1000)
                scanned += 1
                with_code += bool(found)
            elapsed = time.perf_counter() - start
            produced = camera.latest().seq
    return {"fps": round(scanned / elapsed, 1), "frames_scanned": scanned,
            "frames_produced": produced, "frames_with_code": with_code,
            "decode_ms_mean": round(statistics.fmean(ms), 2),
            "decode_ms_p95": round(sorted(ms)[int(len(ms) * 0.95)], 2),
            "size": [frame.width, frame.height], "backend": backend}


def qr_hit_rate(rounds: int) -> dict:
    data = samples()
    ours = open_decoder("zxing")
    try:
        zbar = open_decoder("pyzbar")
    except QrBackendUnavailable as exc:
        zbar, zbar_skip = None, str(exc)
    readers = {"ours": ours.decode, "zxing": raw_zxing}
    if zbar is not None:
        readers["pyzbar"] = zbar.decode
    hits = {name: 0 for name in readers}
    seconds = {name: 0.0 for name in readers}
    for name, read in readers.items():          # warm-up (first call loads tables)
        read(data[0][1])
    for n in range(rounds):
        for _, image, text in data:
            order = list(readers.items())
            if n % 2:
                order.reverse()                 # neither side always goes first
            for name, read in order:
                t = time.perf_counter()
                found = read(image)
                seconds[name] += time.perf_counter() - t
                if n == 0:
                    hits[name] += text in found
    calls = rounds * len(data)
    result = {"images": len(data), "rounds": rounds,
              "hit_rate": round(hits["ours"] / len(data), 4),
              "zxing_hit_rate": round(hits["zxing"] / len(data), 4),
              "ms": round(seconds["ours"] / calls * 1000, 3),
              "zxing_ms": round(seconds["zxing"] / calls * 1000, 3)}
    result["ms_ratio"] = round(result["ms"] / result["zxing_ms"], 2)
    if zbar is not None:
        result["pyzbar_hit_rate"] = round(hits["pyzbar"] / len(data), 4)
        result["pyzbar_ms"] = round(seconds["pyzbar"] / calls * 1000, 3)
    else:
        result["pyzbar_skipped"] = zbar_skip
    return result


# -- face verification --------------------------------------------------------------------
def face_verify_ms(rounds: int = 5) -> dict:
    """Face verification as the terminal does it, at 320x240: each photo of
    ../shared/testdata/faces fitted into 320x240 (as the replay camera delivers it), its
    largest face detected (YuNet), embedded (dlib's ResNet) and matched against the other
    Obama photo's embedding (face_distance). dlib's models are loaded before timing."""
    from devices.camera import fit
    from devices.face import DEFAULT_THRESHOLD, FaceEngine, face_distance
    from tests.camera_support import TESTDATA

    folder = TESTDATA / "faces"
    names = ["obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png", "two_people.jpg"]
    if not all((folder / n).is_file() for n in names):
        return {"skipped": f"the face photos are not at {folder}"}
    engine = FaceEngine.load()
    engine.warm_up()
    frames = {n: fit(cv2.imread(str(folder / n), cv2.IMREAD_COLOR), (320, 240)) for n in names}
    reference = cv2.imread(str(folder / "obama2.jpg"), cv2.IMREAD_COLOR)
    enrolled = engine.embed(reference, engine.detect(reference)[0])
    detect_ms, embed_ms, total_ms, found, matched = [], [], [], 0, {}
    for n in range(rounds):
        for name, frame in frames.items():
            t0 = time.perf_counter()
            faces = engine.detect(frame)
            t1 = time.perf_counter()
            if not faces:
                continue
            vector = engine.embed(frame, faces[0])
            t2 = time.perf_counter()
            distance = face_distance(vector, enrolled)
            t3 = time.perf_counter()
            detect_ms.append((t1 - t0) * 1000)
            embed_ms.append((t2 - t1) * 1000)
            total_ms.append((t3 - t0) * 1000)
            if n == 0:
                found += 1
                matched[name] = round(distance, 3)
    ordered = sorted(total_ms)
    return {"size": [320, 240], "photos": len(frames), "faces_found": found, "rounds": rounds,
            "face_ms": round(statistics.fmean(total_ms), 1),
            "face_ms_p95": round(ordered[int(len(ordered) * 0.95)], 1),
            "face_detect_ms": round(statistics.fmean(detect_ms), 2),
            "face_embed_ms": round(statistics.fmean(embed_ms), 1),
            "distance_to_obama2": matched, "threshold": DEFAULT_THRESHOLD}


def badge_to_greeting_ms(cards: int = 40) -> dict:
    """A badge card through the replay source to the greeting's facts: the newest frame
    taken, its QR decoded (devices.qr), the badge verified and the event recorded on a real
    database file (kiosk.attendance.record_scan: one fsynced transaction). The screen's own
    part (a label's text) is not in it. ``cards`` different employees' cards, one per frame."""
    import base64
    import tempfile
    from pathlib import Path

    import segno
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from devices.camera import open_camera
    from devices.qr import open_decoder
    from kiosk import badges
    from kiosk.attendance.operations import record_scan
    from kiosk.db import write_tx
    from kiosk.demo import init_demo
    from kiosk.runtime import open_runtime

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        init_demo(root / "data")
        rt = open_runtime(root / "data")
        key = Ed25519PrivateKey.generate()
        public = badges.public_bytes(key)
        employees = [r[0] for r in rt.db.execute("SELECT id FROM employees")]
        with write_tx(rt.db):
            rt.db["settings"].upsert({"key": f"badge_key.{badges.key_id(public)}",
                                      "value": base64.b64encode(public).decode(),
                                      "updated_ms": 0}, pk="key")
        pictures = root / "cards"
        pictures.mkdir()
        for n in range(cards):
            text = badges.issue_badge(key, employees[n % len(employees)], rt.config.office.code,
                                      rt.clock.now().wall_ms - 3_600_000 - n * 60_000)
            segno.make(text, error="m").save(str(pictures / f"{n:03d}.png"), scale=5, border=6)
        camera = open_camera(f"replay:{pictures}?fps=10&loop=no")
        decoder = open_decoder("zxing")
        times, seen = [], None
        camera.start()
        try:
            while len(times) < cards:
                frame = camera.next_frame(seen or 0, timeout=5.0)
                if frame is None:
                    break
                seen = frame.seq
                start = time.perf_counter()
                texts = decoder.decode(frame.image)
                result = record_scan(rt, texts[0]) if texts else None
                times.append((time.perf_counter() - start) * 1000)
                assert result is not None and result.result == "accepted", result
        finally:
            camera.stop()
            rt.close()
    ordered = sorted(times)
    return {"cards": len(times), "p50_ms": round(ordered[len(ordered) // 2], 2),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
            "max_ms": round(ordered[-1], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the scan loop")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the QR photos")
    parser.add_argument("--backend", default="zxing", choices=("zxing", "pyzbar"))
    args = parser.parse_args()

    scan = scan_loop(args.seconds, args.backend)
    print(f"scan loop: {scan['fps']} frames/s at {scan['size'][0]}x{scan['size'][1]} "
          f"({scan['backend']}, decode {scan['decode_ms_mean']} ms mean)")
    qr = qr_hit_rate(args.rounds)
    print(f"QR on {qr['images']} photos: ours {qr['hit_rate']:.1%} in {qr['ms']} ms, raw zxing-cpp "
          f"{qr['zxing_hit_rate']:.1%} in {qr['zxing_ms']} ms (x{qr['ms_ratio']})")
    if "pyzbar_hit_rate" in qr:
        print(f"   pyzbar {qr['pyzbar_hit_rate']:.1%} in {qr['pyzbar_ms']} ms")
    face = face_verify_ms(args.rounds)
    if "face_ms" in face:
        print(f"face verify at 320x240: {face['face_ms']} ms (detect {face['face_detect_ms']} ms, "
              f"embed {face['face_embed_ms']} ms) on {face['faces_found']} photos")
    result = {"machine": f"{platform.machine()} {platform.python_version()}",
              "opencv": cv2.__version__, "zxing_cpp": version("zxing-cpp"), "pyzbar": version("pyzbar"),
              "scan": scan, **qr, "face_verify": face,
              **{k: face[k] for k in ("face_ms", "face_detect_ms", "face_embed_ms") if k in face},
              "badge_to_greeting": badge_to_greeting_ms()}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
