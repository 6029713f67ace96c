"""The few errors the library raises. The CLI turns each into a one-line message."""


class ProvenanceError(Exception):
    """Base of every error prov raises on purpose; its message says what to fix."""


class ConfigError(ProvenanceError):
    """A parameter or option is out of range or inconsistent."""


class InputError(ProvenanceError):
    """An input path cannot be read at all (missing, unreadable, unknown format)."""


class ReportError(ProvenanceError):
    """A report folder cannot be written or read (exists from another run, corrupt)."""


class WorkspaceError(ProvenanceError):
    """prov's temporary files (a run's texts, its spilled band keys) cannot be written."""


class EngineError(ProvenanceError):
    """The engine's own jobs failed (a Spark job: an executor out of memory, a lost worker)."""


def workspace_error(where: str | None, err: OSError) -> WorkspaceError:
    """The one-line error for a temporary file that could not be made or written in ``where``
    (the system's temporary folder when None)."""
    import tempfile

    folder = where or tempfile.gettempdir()
    return WorkspaceError(
        f"cannot write prov's temporary files in {folder} ({err.strerror or err}): make room there or "
        "set TMPDIR to a folder with room (about 30 bytes a word of input: 6 GB for a million articles; docs/limits.md)"
    )
