"""publish: sync each staging package of a monorepo, with its history, to its own repository."""

__all__ = ["__version__"]
__version__ = "0.1.0"
