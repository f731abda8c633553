"""AI characters, content and publishing (seeds/003). Not built yet: see issue 9."""
