"""django-q2 entry points of the personas app (one line each; the work is in the modules named)."""

from config.jobs.runner import run_job


def run_generation(job_id: str) -> None:
    """Generate images or captions for a character (queued by ``services.content.start_generation``)."""
    from personas import generation

    run_job(job_id, generation.generate_job)


def publish_post(job_id: str) -> None:
    """Publish one post through its platform connector (queued by ``services.publishing``)."""
    from personas.services import publishing

    run_job(job_id, publishing.publish_job)


def publish_due_posts() -> int:
    """Every minute: claim scheduled posts that are due and publish them."""
    from personas.services import scheduling

    return scheduling.publish_due()


def run_due_rules() -> int:
    """Every minute: run enabled schedule-triggered automation rules that are due."""
    from personas.services import automation

    return automation.run_due_rules()


def sync_accounts() -> int:
    """Every 15 minutes: read followers, post counts and notifications back from each connected account."""
    from personas.services import engagement

    return engagement.sync_all_accounts()


def refresh_tokens() -> int:
    """Every 10 minutes: refresh platform tokens that expire soon, and forget consent-page attempts
    nobody came back from. Answers how many tokens were refreshed."""
    from personas.services import accounts, oauth

    oauth.forget_stale_attempts()
    return accounts.refresh_expiring_tokens()
