"""Floor plans from room photos (seeds/004). Not built yet: see issue 6."""
