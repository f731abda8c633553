"""Why rule-based generation or editing gave up. Plain exceptions: this core knows nothing of HTTP."""

from designs.vocabulary import supported_types


class NoDesignType(Exception):
    """The prompt does not describe any supported design type."""

    def __init__(self, prompt: str = "") -> None:
        self.prompt = prompt
        super().__init__(f"No design type was recognised in the prompt. Supported design types: {supported_types()}.")


class EditNotUnderstood(Exception):
    """The rule-based editor found no change it knows how to make in the edit prompt."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            f"{reason} The rule-based editor understands: colour or material of a part (\"legs black\", "
            "\"make the top walnut\"), size (\"make it 2 m long\", \"taller\"), adding parts (\"add two chairs\", "
            "\"add a floor\") and removing them (\"remove the roof\", \"no back\")."
        )
