"""The text a post goes out with: caption, hashtags and mentions, then the character's disclosure line.

Shared by publishing, scheduling's checks, the compose previews and the quality score,
so all of them judge exactly the text the platform will receive.
"""

from personas.models import Post


def compose_text(post: Post) -> str:
    """Caption, then hashtags and mentions not already in it, then the character's disclosure line."""
    text = post.caption.strip()
    extras = [f"#{tag.lstrip('#')}" for tag in post.hashtags if f"#{tag.lstrip('#')}" not in text]
    extras += [f"@{name.lstrip('@')}" for name in post.mentions if f"@{name.lstrip('@')}" not in text]
    if extras:
        text = f"{text}\n\n{' '.join(extras)}" if text else " ".join(extras)
    disclosure = post.character.disclosure_line.strip()
    if disclosure and disclosure not in text:
        text = f"{text}\n\n{disclosure}" if text else disclosure
    return text
