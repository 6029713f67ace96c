"""The few errors the library raises. The CLI turns each into a one-line message."""


class ProvenanceError(Exception):
    """Base of every error prov raises on purpose; its message says what to fix."""


class ConfigError(ProvenanceError):
    """A parameter or option is out of range or inconsistent."""


class InputError(ProvenanceError):
    """An input path cannot be read at all (missing, unreadable, unknown format)."""


class ReportError(ProvenanceError):
    """A report folder cannot be written or read (exists from another run, corrupt)."""
