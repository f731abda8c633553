"""Language-model providers behind one interface (``base.LanguageModel``)."""
