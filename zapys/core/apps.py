from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "zapys.core"
    label = "core"

    def ready(self) -> None:
        from zapys.core.collation import register_sqlite_collation

        # Name columns sort the Ukrainian way on SQLite too (see core/collation.py).
        connection_created.connect(register_sqlite_collation, dispatch_uid="zapys_uk_collation")
