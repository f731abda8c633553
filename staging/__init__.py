"""Virtual staging of room photos (seeds/000). Not built yet: see issue 5."""
