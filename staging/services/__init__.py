"""Every write the staging app performs; the API, the pages, the admin and the pipeline call these.

One module per topic: ``uploads`` (a photo checked by its header in the request, stored
untouched, cleaned by the job's validate step), ``requests`` (a staging request checked before
any engine is asked), ``queue`` (whether the queue takes more, and when it should be done),
``creation`` (queueing a staging, variants, a batch, a room set, a restage or a revision),
``drafts`` (photos kept while no engine can stage them), ``disclosure`` (which disclosure profile
a staging carries), ``results`` (what the pipeline records as it runs) and ``maintenance`` (the
retention sweep and style previews). Callers use ``from staging import services``; the names
below are the app's service surface.
"""

from staging.services.creation import (
    JOB_KIND,
    choose_variant,
    create_batch,
    create_room_set,
    create_staging,
    create_variants,
    release_room_set,
    restage,
    revise,
    wait_for_reference,
)
from staging.services.disclosure import NO_DISCLOSURE, disclosure_profile, set_default_disclosure
from staging.services.drafts import delete_draft, save_drafts, stage_drafts
from staging.services.maintenance import delete_expired_files, render_style_preview
from staging.services.queue import average_processing_ms, ensure_accepting, estimate_completion
from staging.services.requests import StagingRequest, active_style, check_request
from staging.services.results import (
    record_consistency,
    record_room,
    record_set_consistency,
    save_emptied,
    save_result,
    store_renditions,
)
from staging.services.uploads import ACCEPTED_FORMATS, Photo, check_upload, clean_original, upload_key

__all__ = [
    "ACCEPTED_FORMATS",
    "JOB_KIND",
    "NO_DISCLOSURE",
    "Photo",
    "StagingRequest",
    "active_style",
    "average_processing_ms",
    "check_request",
    "check_upload",
    "choose_variant",
    "clean_original",
    "create_batch",
    "create_room_set",
    "create_staging",
    "create_variants",
    "delete_draft",
    "delete_expired_files",
    "disclosure_profile",
    "ensure_accepting",
    "estimate_completion",
    "record_consistency",
    "record_room",
    "record_set_consistency",
    "release_room_set",
    "render_style_preview",
    "restage",
    "revise",
    "save_drafts",
    "save_emptied",
    "save_result",
    "set_default_disclosure",
    "stage_drafts",
    "store_renditions",
    "upload_key",
    "wait_for_reference",
]
