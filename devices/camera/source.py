"""Camera sources, as written in ``camera.source`` of config.toml.

    0, 1, ...                     a V4L2 camera by index (/dev/video0, /dev/video1...)
    /dev/video2                   a camera by device path (or any absolute path OpenCV opens)
    rtsp://... http(s)://...      a network camera stream
    replay:DIR                    the images in DIR, sorted by name, played in a loop
    replay:FILE.mp4               a video file played in a loop
    replay:PATH?fps=10&loop=no    the playing rate (default 15) and whether to loop (yes|no)

Each mistake is a ConfigError naming ``camera.source`` and showing a correct source.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from kiosk.errors import ConfigError

KEY = "camera.source"
EXAMPLES = ('use "0" (/dev/video0), "/dev/video2", "rtsp://HOST/stream", '
            '"replay:/path/to/images" or "replay:/path/to/video.mp4?fps=15&loop=no"')
NETWORK_SCHEMES = ("rtsp://", "http://", "https://")


@dataclass(frozen=True)
class CameraSource:
    raw: str
    kind: str                 # "device" (index or path or URL for OpenCV) | "replay"
    index: int | None = None  # a V4L2 index, for kind "device"
    path: str = ""            # a device/file path, stream URL, or the replay folder/file
    fps: float = 15.0         # replay only
    loop: bool = True         # replay only

    @property
    def device_path(self) -> str:
        """Where a technician looks for the camera: /dev/video0 for index 0."""
        return f"/dev/video{self.index}" if self.index is not None else self.path


def _bad(source: str, problem: str) -> ConfigError:
    return ConfigError(KEY, f"{source!r}: {problem}; {EXAMPLES}")


def parse_source(source: str) -> CameraSource:
    if not isinstance(source, str) or not source.strip():
        raise _bad(str(source), "is empty")
    if source.isdigit():
        return CameraSource(source, "device", index=int(source))
    if source.startswith(NETWORK_SCHEMES):
        if len(source.split("://", 1)[1]) == 0:
            raise _bad(source, "has no host")
        return CameraSource(source, "device", path=source)
    if source.startswith("/"):
        return CameraSource(source, "device", path=source)
    if source.startswith("replay:"):
        path, _, query = source[len("replay:"):].partition("?")
        if not path:
            raise _bad(source, "replay: needs a folder or a video file")
        try:
            options = dict(parse_qsl(query, strict_parsing=True)) if query else {}
        except ValueError:
            raise _bad(source, f"the options {query!r} are not fps=N&loop=yes|no") from None
        unknown = set(options) - {"fps", "loop"}
        if unknown:
            raise _bad(source, f"unknown option(s) {', '.join(sorted(unknown))}; allowed: fps, loop")
        try:
            fps = float(options.get("fps", "15"))
        except ValueError:
            raise _bad(source, f"fps={options['fps']!r} is not a number") from None
        if not 0.1 <= fps <= 1000:
            raise _bad(source, f"fps={fps:g} must be from 0.1 to 1000")
        loop_text = options.get("loop", "yes").lower()
        if loop_text not in ("yes", "no", "true", "false", "1", "0"):
            raise _bad(source, f"loop={options['loop']!r}: use loop=yes or loop=no")
        return CameraSource(source, "replay", path=path, fps=fps,
                            loop=loop_text in ("yes", "true", "1"))
    raise _bad(source, "is not a camera source")
