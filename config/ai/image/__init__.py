"""Image-generation providers behind one interface (``base.ImageGenerator``)."""
