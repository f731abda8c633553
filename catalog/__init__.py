"""Product image analysis (seeds/001). Not built yet: see issue 7."""
