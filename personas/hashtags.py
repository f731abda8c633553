"""An automation rule's caption template and hashtag strategy, applied to what it posts.

Seed 003's rules carry ``caption_template`` ("Check out this {topic}! #lifestyle")
and ``hashtag_strategy`` ("auto"). The template, filled when the rule runs,
replaces the caption a language model would write (so a rule posts the words
its owner chose, with or without an engine). The strategy picks the hashtags:

- ``auto``: the ones the caption writer chose, or the content's own;
- ``template``: only the ones written in the caption template;
- ``none``: none.
"""

import re

STRATEGIES = ("auto", "template", "none")
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")


def in_text(text: str) -> list[str]:
    """The hashtags written in ``text``, without the ``#``, in order, once each."""
    return list(dict.fromkeys(_HASHTAG.findall(text)))


def styled(caption: str, hashtags: list[str], *, template: str = "", strategy: str = "auto") -> tuple[str, list[str]]:
    """The caption and hashtags a rule posts, from what was written (``caption``, ``hashtags``)."""
    caption = template or caption
    if strategy == "none":
        return caption, []
    if strategy == "template":
        return caption, in_text(template)
    return caption, list(hashtags)
