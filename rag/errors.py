"""One small error hierarchy. Every message says what to do about it."""

from __future__ import annotations


class RagError(Exception):
    """Base of every error the CLI reports as a one-line message."""

    exit_code = 1


class InputError(RagError):
    """Bad input from the user: a file, a flag, a question."""

    exit_code = 2


class ConfigError(InputError):
    """A setting that cannot be used."""


class IndexError_(RagError):
    """An index that is missing, damaged or built by something else."""


class IndexLockedError(RagError):
    """Another process is writing the same index."""


class NothingIndexedError(RagError):
    """Every file given was skipped."""


class ModelError(RagError):
    """A model that cannot be loaded or reached."""
