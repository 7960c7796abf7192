import pytest
from django.db import connection

from zapys.settings import huey_settings


def test_huey_url_maps_to_sqlite_or_redis():
    sqlite = huey_settings("sqlite:////srv/zapys/huey.db", immediate=False)
    assert sqlite["huey_class"] == "huey.SqliteHuey" and sqlite["filename"] == "/srv/zapys/huey.db"
    redis = huey_settings("redis://127.0.0.1:6379/3", immediate=False)
    assert redis["huey_class"] == "huey.PriorityRedisHuey" and redis["url"].endswith("/3")
    with pytest.raises(ValueError, match="HUEY_URL"):
        huey_settings("amqp://guest@localhost//", immediate=False)


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # the test database may be in memory, where WAL is impossible; the file database is WAL
    assert mode in ("wal", "memory")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_relative_sqlite_huey_path():
    assert huey_settings("sqlite:///var/q.db", immediate=False)["filename"] == "var/q.db"
