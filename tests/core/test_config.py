from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, shipped_dir


def test_defaults_load_and_token_is_never_shown():
    settings = load_settings(env={"DISCORD_TOKEN": "abc.def.ghi"}, dotenv=False)
    assert "cogs.quotes" in settings.features
    assert settings.token is not None and settings.token.reveal() == "abc.def.ghi"
    assert "abc" not in repr(settings)


def test_missing_token_is_a_one_line_fix():
    settings = load_settings(env={}, dotenv=False)
    with pytest.raises(ConfigError, match="DISCORD_TOKEN is not set"):
        settings.require_token()


def test_herbot_db_overrides_the_settings_file(tmp_path: Path):
    settings = load_settings(env={"HERBOT_DB": str(tmp_path / "x.db")}, dotenv=False)
    assert settings.database == tmp_path / "x.db"


def test_malformed_file_names_the_problem(tmp_path: Path):
    bad = tmp_path / "settings.toml"
    bad.write_text("[bot]\nextensions = 'cogs.quotes'\n")
    with pytest.raises(ConfigError, match="'extensions' must be a list"):
        load_settings(bad, env={}, dotenv=False)  # the key older releases used still works
    bad.write_text("[bot]\nfeatures = 'cogs.quotes'\n")
    with pytest.raises(ConfigError, match="'features' must be a list"):
        load_settings(bad, env={}, dotenv=False)
    bad.write_text("[bot\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad, env={}, dotenv=False)


def test_proxy_urls_come_from_the_environment():
    settings = load_settings(
        env={"DISCORD_API_BASE": "http://127.0.0.1:8080/api/v10", "DISCORD_GATEWAY_URL": "ws://x"},
        dotenv=False,
    )
    assert settings.api_base == "http://127.0.0.1:8080/api/v10"
    assert settings.gateway_url == "ws://x"


def test_health_endpoint_and_log_format_are_off_and_text_unless_asked(tmp_path: Path):
    settings = load_settings(env={}, dotenv=False)
    assert settings.metrics_addr is None and settings.log_format == "text"
    on = load_settings(
        env={"HERBOT_METRICS_ADDR": "127.0.0.1:9108", "HERBOT_LOG_FORMAT": "JSON"}, dotenv=False
    )
    assert on.metrics_addr == ("127.0.0.1", 9108) and on.log_format == "json"
    toml = tmp_path / "settings.toml"
    toml.write_text('[bot]\nmetrics_addr = "[::1]:9200"\nlog_format = "json"\n')
    from_file = load_settings(toml, env={}, dotenv=False)
    assert from_file.metrics_addr == ("::1", 9200) and from_file.log_format == "json"
    assert load_settings(toml, env={"HERBOT_METRICS_ADDR": ""}, dotenv=False).metrics_addr is None
    for bad in ("9108", "localhost:", "host:99999", "host:port"):
        with pytest.raises(ConfigError, match="must be host:port"):
            load_settings(env={"HERBOT_METRICS_ADDR": bad}, dotenv=False)
    with pytest.raises(ConfigError, match="must be text or json"):
        load_settings(env={"HERBOT_LOG_FORMAT": "xml"}, dotenv=False)


# -- where the configuration comes from ---------------------------------------------------------


def test_without_a_config_directory_everything_comes_from_the_package(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config/ here
    settings = load_settings(env={}, dotenv=False)
    assert settings.config_dirs == (shipped_dir(),)
    assert settings.path("quotes") == shipped_dir() / "quotes"
    assert "cogs.quotes" in settings.features
    assert settings.database == tmp_path / "herbot.db"  # the working directory's


def test_a_config_directory_here_overrides_the_shipped_files_it_has(tmp_path, monkeypatch):
    mine = tmp_path / "config"
    mine.mkdir()
    (mine / "settings.toml").write_text('[bot]\nfeatures = ["cogs.admin"]\nlog_level = "DEBUG"\n')
    (mine / "motions.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={}, dotenv=False)
    assert (settings.features, settings.log_level) == (("cogs.admin",), "DEBUG")
    assert settings.path("motions.toml") == mine / "motions.toml"
    assert settings.path("formats.toml") == shipped_dir() / "formats.toml"  # not overridden
    assert settings.path("config/quotes") == shipped_dir() / "quotes"  # earlier releases' spelling


def test_herbot_config_dir_wins_over_config_here(tmp_path, monkeypatch):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.toml").write_text('[bot]\nfeatures = ["cogs.admin"]\n')
    elsewhere = tmp_path / "etc"
    elsewhere.mkdir()
    (elsewhere / "formats.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={"HERBOT_CONFIG_DIR": str(elsewhere)}, dotenv=False)
    assert "cogs.quotes" in settings.features  # config/ is not read: the shipped settings
    assert settings.path("formats.toml") == elsewhere / "formats.toml"
    with pytest.raises(ConfigError, match=r"HERBOT_CONFIG_DIR=.* is not a directory"):
        load_settings(env={"HERBOT_CONFIG_DIR": str(tmp_path / "nope")}, dotenv=False)


def test_a_named_settings_file_finds_its_files_beside_it_first(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    named = tmp_path / "srv" / "settings.toml"
    named.parent.mkdir()
    named.write_text('[polls]\nmotions_file = "motions.toml"\n')
    (named.parent / "motions.toml").write_text("")
    settings = load_settings(named, env={}, dotenv=False)
    assert settings.path("motions.toml") == named.parent / "motions.toml"
    assert settings.path("quotes") == shipped_dir() / "quotes"
    assert settings.path("mine.toml") == named.parent / "mine.toml"  # missing: where it belongs


def test_dotenv_is_read_from_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("DISCORD_TOKEN=from.the.env.file\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "")
    monkeypatch.delenv("DISCORD_TOKEN")  # restored (or removed again) after the test
    settings = load_settings()
    assert settings.token is not None and settings.token.reveal() == "from.the.env.file"


def test_the_forget_ledger_path_from_the_environment_or_the_settings(tmp_path):
    from bot.forget_ledger import for_settings

    settings = load_settings(
        env={"HERBOT_DB": str(tmp_path / "x.db"), "HERBOT_FORGET_LEDGER": "led.jsonl"},
        dotenv=False,
    )
    assert settings.forget_ledger == Path("led.jsonl").absolute()
    plain = load_settings(env={"HERBOT_DB": str(tmp_path / "x.db")}, dotenv=False)
    assert plain.forget_ledger is None
    assert for_settings(plain.database, None).path == tmp_path / "x.forget-ledger.jsonl"
