"""Prompt to structured 3D design spec (seeds/002). Not built yet: see issue 8."""
