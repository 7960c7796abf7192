"""Private files: kept outside MEDIA_ROOT, under opaque names, and served by no URL.

Everything under MEDIA_ROOT is public (`/media/` needs no login, and in production the web
server serves it directly), so only files meant for anyone — payment-page backgrounds — may
live there. Files that carry an organization's data (client imports: names, phones,
e-mails, balances) go to the storage alias "private" (`STORAGES["private"]`, rooted at
`ZAPYS_PRIVATE_ROOT`) instead. Nothing routes a URL to it, and `url()` refuses, so a
template or a serializer cannot accidentally link one.

A model field uses it with `FileField(storage=get_private_storage, upload_to=...)`: the
callable (not the storage) is what migrations record, and the lazy object re-reads the
alias when tests override `STORAGES`.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

PRIVATE_STORAGE_ALIAS = "private"


class PrivateFileSystemStorage(FileSystemStorage):
    """A file system storage with no public URL."""

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; read them through the storage.")


class _PrivateStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped = storages[PRIVATE_STORAGE_ALIAS]


private_storage: Any = _PrivateStorage()


def get_private_storage() -> Storage:
    """The private storage (a callable, so migrations name this function, not a path)."""
    return private_storage  # type: ignore[no-any-return]


def opaque_name(folder: str) -> str:
    """A storage name that says nothing: no client-chosen name, no organization, no date.
    192 random bits, so a name cannot be guessed even by someone who sees others."""
    return f"{folder}/{secrets.token_urlsafe(24)}"


@receiver(setting_changed)
def _reset_private_storage(*, setting: str, **kwargs: Any) -> None:
    # Django resets its own `storages` cache on this signal; the proxy must follow it.
    if setting == "STORAGES":
        private_storage._wrapped = empty


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


@checks.register(checks.Tags.security)
def check_private_root(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The private root must not be inside a directory that is served to anyone."""
    config: Any = getattr(settings, "STORAGES", {}).get(PRIVATE_STORAGE_ALIAS)
    if config is None:
        return [
            checks.Error(
                'STORAGES has no "private" alias: client imports would have nowhere to go.',
                id="zapys.E101",
            )
        ]
    location = config.get("OPTIONS", {}).get("location")
    if not location:
        return []
    served = [Path(settings.MEDIA_ROOT)]
    if settings.STATIC_ROOT:
        served.append(Path(settings.STATIC_ROOT))
    return [
        checks.Error(
            f"The private storage root {location} is inside {root}, which is served publicly.",
            hint="Set ZAPYS_PRIVATE_ROOT to a directory outside MEDIA_ROOT and STATIC_ROOT.",
            id="zapys.E102",
        )
        for root in served
        if _inside(Path(location), root)
    ]
