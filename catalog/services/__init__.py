"""Every write the catalog performs; the API, the pages, the admin and the pipeline call these.

One module per topic: ``products`` (create, update, delete), ``uploads``
(checking and storing images, presigned uploads), ``analysis`` (queueing single
and batch analyses, retry, cancel), ``fixes`` (marketplace main-image fixes), ``results``
(what the pipeline records) and
``settling`` (a job's end). Callers use ``from catalog import services``; the
names below are the catalog's service surface.

Metering: the catalog counts one unit of plan usage per image analysed, not
per job. A job's images are ``BatchItem`` rows, and each item holds its unit
(``usage_counted``) from the moment it is queued. All units of a request are
taken before anything is queued (``UsageLimitExceeded`` refuses the whole
request), an item that fails or is cancelled gives its unit back when its job
ends (``settle_job``, the job's ``on_finish``), and an item run again takes one
again. So the job itself is created unmetered: the platform would count it
once, whatever its size.
"""

from catalog.services.analysis import (
    MAX_BATCH_IMAGES,
    cancel_batch,
    create_batch,
    is_being_analysed,
    queue_analysis,
    rerun_images,
    retry_analysis,
)
from catalog.services.fixes import queue_fix, queue_fix_all, store_fixed_image
from catalog.services.products import FEED_FIELDS, create_product, delete_product, update_product
from catalog.services.results import (
    claim_item,
    fail_item,
    finish_item,
    items_to_run,
    release_stalled_items,
    save_analysis,
    save_attributes,
    save_compliance,
    save_damage,
    save_defects,
    save_description,
    save_renditions,
    start_item,
)
from catalog.services.settling import settle_job
from catalog.services.uploads import confirm_upload, start_upload, upload_direct

__all__ = [
    "FEED_FIELDS", "MAX_BATCH_IMAGES", "cancel_batch", "claim_item", "confirm_upload", "create_batch", "create_product",
    "delete_product", "fail_item", "finish_item", "is_being_analysed", "items_to_run", "queue_analysis",
    "queue_fix", "queue_fix_all",
    "release_stalled_items", "rerun_images", "retry_analysis", "save_analysis", "save_attributes", "save_compliance",
    "save_damage", "save_defects", "save_description", "save_renditions", "settle_job", "start_item", "start_upload",
    "store_fixed_image", "update_product", "upload_direct",
]
