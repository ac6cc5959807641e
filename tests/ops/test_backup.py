"""make backup / make restore: a dump of a seeded database restores with every row."""

import os
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg2 import sql

from portal.models import Municipality
from tests.factories import MunicipalityFactory, PageFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent


def database_url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{name}"


def script(name: str, *args: str, url: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / name), *args],
        env={**os.environ, "DATABASE_URL": url, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )


def row_counts(url: str) -> dict[str, int]:
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = sorted(row[0] for row in cursor.fetchall())
        counts = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cursor.fetchone()[0]
    conn.close()
    return counts


@pytest.fixture
def seeded(tmp_path):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    MunicipalityFactory(name="Testort mit Umlaut ä", slug="testort")
    PageFactory(body="<p>Gesichert: „Anführungszeichen“ und €</p>")
    source = database_url(connection.settings_dict["NAME"])
    result = script("backup.sh", url=source, BACKUP_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    dump = Path(result.stdout.strip())
    assert dump.parent == tmp_path
    assert dump.name.startswith(connection.settings_dict["NAME"] + "-")
    assert dump.suffix == ".dump"
    assert oct(dump.stat().st_mode & 0o777) == "0o600"
    return source, dump


@pytest.fixture
def fresh_database():
    name = connection.settings_dict["NAME"] + "_restore"
    server = psycopg2.connect(database_url("postgres"))
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield database_url(name)
    with server.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    server.close()


def test_backup_restores_into_a_fresh_database_with_the_same_rows(seeded, fresh_database):
    source, dump = seeded
    result = script("restore.sh", str(dump), url=fresh_database, CONFIRM="yes")
    assert result.returncode == 0, result.stderr

    original, restored = row_counts(source), row_counts(fresh_database)
    assert restored == original
    # Transactional tests before this one may have flushed the migrations' data.
    assert original["portal_municipality"] >= 1
    assert original["portal_page"] >= 1
    assert original["django_migrations"] > 0
    with psycopg2.connect(fresh_database) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT body FROM portal_page WHERE body LIKE '%Gesichert%'")
        assert cursor.fetchone()[0] == "<p>Gesichert: „Anführungszeichen“ und €</p>"
    conn.close()


def test_restore_over_a_database_replaces_its_data(seeded):
    source, dump = seeded
    Municipality.objects.filter(slug="testort").delete()
    MunicipalityFactory(name="Nach der Sicherung", slug="danach")
    connection.close()

    result = script("restore.sh", str(dump), url=source, CONFIRM="yes")
    assert result.returncode == 0, result.stderr
    assert set(Municipality.objects.filter(slug__in=["testort", "danach"]).values_list(
        "slug", flat=True
    )) == {"testort"}  # fmt: skip


def test_restore_asks_before_replacing_anything(seeded):
    source, dump = seeded
    before = row_counts(source)
    Municipality.objects.filter(slug="testort").delete()

    result = script("restore.sh", str(dump), url=source)  # no CONFIRM, no terminal
    assert result.returncode != 0
    assert not Municipality.objects.filter(slug="testort").exists()
    assert row_counts(source)["portal_municipality"] == before["portal_municipality"] - 1
