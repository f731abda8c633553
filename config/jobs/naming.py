"""Jobs in words for people, with a link to what each job works on.

config cannot import the apps, so each app registers, in its ``AppConfig.ready``,
a function that names its jobs (``register("staging", describe)``). The
dashboard and job pages call ``describe(job)``; a kind nobody registered gets
the product's name.
"""

from collections.abc import Callable
from dataclasses import dataclass

from config.jobs.models import Job


@dataclass(frozen=True)
class JobTitle:
    text: str  # "Staging a room photo", not "staging.stage"
    url: str = ""  # the page of the thing the job works on, when there is one


_describers: dict[str, Callable[[Job], JobTitle | None]] = {}


def register(prefix: str, describe: Callable[[Job], JobTitle | None]) -> None:
    """Name the jobs whose kind starts with ``prefix`` (the app's label)."""
    _describers[prefix] = describe


def describe(job: Job) -> JobTitle:
    """The job in words, and where its object lives; never raises for a job whose object is gone."""
    prefix = job.kind.split(".")[0].split("_")[0]
    describer = _describers.get(prefix)
    title = describer(job) if describer else None
    return title or JobTitle(job.describe())
