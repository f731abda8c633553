"""Writing to the media storage: a backend's failure becomes the platform's ``StorageFailed``."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

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
