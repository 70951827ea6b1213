from __future__ import annotations

import pytest

from kiosk import config
from kiosk.errors import ConfigError


def test_round_trip(tmp_path):
    cfg = config.Config()
    cfg.admin.pin_hash = config.hash_pin("2468")
    config.save(cfg, tmp_path)
    loaded = config.load(tmp_path)
    assert loaded == cfg
    assert loaded.check_pin("2468") and not loaded.check_pin("1357")
    assert "2468" not in (tmp_path / "config.toml").read_text()


def test_the_config_file_is_readable_by_its_owner_only(tmp_path):
    """It holds the office LAN token and the PIN's hash: mode 0600, also when a power cut
    left a world-readable temp file behind."""
    import stat

    (tmp_path / "config.toml.tmp").write_text("junk")
    (tmp_path / "config.toml.tmp").chmod(0o644)
    cfg = config.Config()
    cfg.lan.token = "rahasia-kantor-0123456789"
    config.save(cfg, tmp_path)
    assert stat.S_IMODE((tmp_path / "config.toml").stat().st_mode) == 0o600
    assert config.load(tmp_path).lan.token == "rahasia-kantor-0123456789"
    assert not (tmp_path / "config.toml.tmp").exists()


@pytest.mark.parametrize("text, key", [
    ('[office]\ntimezone = "CET"\n', "office.timezone"),
    ('[printer]\nuri = "lpt1"\n', "printer.uri"),
    ('[printer]\npaper_width_mm = 70\n', "printer.paper_width_mm"),
    ('[device]\nroles = ["citizen", "barista"]\n', "device.roles"),
    ('[ui]\nidle_seconds = "sixty"\n', "ui.idle_seconds"),
    ('[ui]\ncolour = "red"\n', "ui.colour"),
    ('[weather]\nsunny = true\n', "weather"),
    ('[office\n', "(file)"),
])
def test_invalid_config_names_the_key(tmp_path, text, key):
    (tmp_path / "config.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        config.load(tmp_path)
    assert info.value.key == key
    assert key in str(info.value)


def test_missing_config_says_how_to_create_it(tmp_path):
    with pytest.raises(ConfigError, match="kiosk init"):
        config.load(tmp_path)


@pytest.mark.parametrize("pin", ["12", "abcd", "123456789"])
def test_bad_pins_are_refused(pin):
    with pytest.raises(ConfigError, match="admin.pin"):
        config.hash_pin(pin)


@pytest.mark.parametrize("value", ["", "auto", "http://192.168.1.10:8765"])
def test_edge_url_accepts_empty_auto_and_urls(tmp_path, value):
    (tmp_path / "config.toml").write_text(f'[lan]\nedge_url = "{value}"\n')
    assert config.load(tmp_path).lan.edge_url == value
