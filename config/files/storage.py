"""Writing to the media storage: a backend's failure becomes the platform's ``StorageFailed``, and files
stored for a write that then fails are removed again."""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import default_storage

from config.errors import StorageFailed

logger = logging.getLogger("stagecraft.files")


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn a storage backend's failure (disk full or read-only, an S3 error) into ``StorageFailed`` (502).

    Wrap only the storage calls, so a failure is known to have left no file behind.
    """
    try:
        yield
    except (BotoCoreError, ClientError, OSError) as exc:
        logger.exception("Storage failed")
        raise StorageFailed() from exc


@contextmanager
def files_removed_on_failure(names: list[str] | None = None) -> Iterator[list[str]]:
    """Yield a list for the names of files stored in the block; delete them all if the block fails.

    Used around a transaction that stores files and rows together, so a failed
    write leaves neither a row without its file nor a file without its row.
    """
    stored: list[str] = names if names is not None else []
    try:
        yield stored
    except BaseException:
        delete_files(stored)
        raise


def delete_files(names: Iterable[str]) -> None:
    """Delete stored files, logging (not raising) failures: an orphan file is better than a failed request."""
    for name in names:
        try:
            default_storage.delete(name)
        except (BotoCoreError, ClientError, OSError):
            logger.warning("Could not delete %s", name, exc_info=True)
