"""AI engines: apps ask for a capability, never for a vendor.

Call ``config.ai.registry`` (``language_model()``, ``image_generator()``,
``labeler()``, ``embedder()``, ``status_report()``) and ``config.ai.vision``.
Nothing here imports torch, diffusers or the vendor SDKs at import time, so the
web process starts without ``requirements-ai.txt``. See docs/ai.md.
"""
