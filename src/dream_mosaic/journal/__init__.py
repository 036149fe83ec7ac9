"""The journal: a dreamer's own dreams, and the consent each carries."""
