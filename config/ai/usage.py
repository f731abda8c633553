"""What one engine call cost: the record a job step stores beside its result."""

import time
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class CallRecord:
    """Provider, model, wall time, tokens and HTTP attempts of one capability call."""

    provider: str
    model: str
    latency_ms: float
    input_tokens: int = 0
    output_tokens: int = 0
    attempts: int = 1

    def as_dict(self) -> dict:
        return asdict(self)


class Stopwatch:
    """Milliseconds since creation, from a monotonic clock."""

    def __init__(self) -> None:
        self._started = time.monotonic()

    def elapsed_ms(self) -> float:
        return round((time.monotonic() - self._started) * 1000, 1)
