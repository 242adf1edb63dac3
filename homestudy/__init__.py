"""HomeStudy: Stage 2 adoption assessment, offline and encrypted. The headless core (no Qt)."""

__version__ = "0.1.0"
