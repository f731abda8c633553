"""django-q2 entry points for webhooks."""

from config.webhooks import services


def run_delivery(delivery_id: str) -> None:
    """One attempt of one delivery; safe to run twice (the attempt is claimed first)."""
    services.attempt_delivery(delivery_id)


def sweep_deliveries() -> int:
    """Every minute (schedule ``webhooks.sweep_deliveries``): queue the deliveries whose next attempt is due."""
    return services.enqueue_due_deliveries()
