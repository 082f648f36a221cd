from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


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
