"""Which files a run may read: everything under the paths given, in name order, but
nothing a link leads out to (unless asked), and never an index's own files."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.index import is_index_folder
from rag.types import Skipped

OUTSIDE = "link points outside the folders given; pass --follow-links to allow"
INDEX_FOLDER = "a rag index folder; indexes are never indexed"
TARGET_FOLDER = "the index being written; it is never indexed"
_OS_REASONS = {
    errno.EACCES: "permission denied; make it readable (chmod +r) or leave it out",
    errno.EPERM: "permission denied; make it readable (chmod +r) or leave it out",
    errno.ELOOP: "symbolic link loop; fix or remove the link",
    errno.ENOENT: "broken symbolic link or deleted while indexing; fix the link or leave it out",
    errno.EISDIR: "is a folder, not a file",
}


@dataclass(frozen=True)
class Scope:
    """The real paths a run was given (links in them are followed only inside these),
    and the index it writes, which is never read."""

    roots: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    follow_links: bool = False

    @classmethod
    def of(cls, paths: list[str], exclude: list[str] | tuple[str, ...] = (), follow_links: bool = False) -> Scope:
        return cls(tuple(os.path.realpath(p) for p in paths), tuple(os.path.realpath(p) for p in exclude), follow_links)

    def leaves(self, path: Path) -> bool:
        """A link whose target lies outside every path given."""
        if self.follow_links or not path.is_symlink():
            return False
        return not any(_within(os.path.realpath(path), root) for root in self.roots)

    def never_read(self, folder: Path) -> str | None:
        """Why a folder is left out whatever it holds, or None."""
        real = os.path.realpath(folder)
        if any(_within(real, target) for target in self.exclude):
            return TARGET_FOLDER
        if is_index_folder(folder):
            return INDEX_FOLDER
        return None


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def display(path: str) -> str:
    # Names that are not valid UTF-8 would break every JSON and terminal write later.
    return os.path.normpath(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def os_reason(exc: OSError) -> str:
    return _OS_REASONS.get(exc.errno or 0, f"cannot read it ({exc.strerror or type(exc).__name__})")


def walk(root: Path, scope: Scope) -> Iterator[Path | Skipped]:
    """Files under root in name order; linked folders are followed once each, so a link loop ends."""
    unlisted: list[OSError] = []
    seen = {_identity(root)}
    for folder, dirs, files in os.walk(root, followlinks=True, onerror=unlisted.append):
        yield from (_unlisted(e) for e in _drain(unlisted))
        yield from _keep_new_folders(Path(folder), dirs, seen, scope)
        for name in sorted(files):
            if not name.startswith("."):
                path = Path(folder) / name
                yield Skipped(display(str(path)), OUTSIDE) if scope.leaves(path) else path
    yield from (_unlisted(e) for e in _drain(unlisted))


def _keep_new_folders(folder: Path, dirs: list[str], seen: set[tuple[int, int]], scope: Scope) -> list[Skipped]:
    """Trims dirs in place to the folders to read; says why the others are left out."""
    keep, skipped = [], []
    for name in sorted(d for d in dirs if not d.startswith(".")):
        path = folder / name
        reason = _left_out(path, seen, scope)
        if reason:
            skipped.append(Skipped(display(str(path)), reason))
        else:
            keep.append(name)
    dirs[:] = keep
    return skipped


def _left_out(path: Path, seen: set[tuple[int, int]], scope: Scope) -> str | None:
    if scope.leaves(path):
        return OUTSIDE
    try:
        identity = _identity(path)
        never = scope.never_read(path)
    except OSError as exc:
        return os_reason(exc)
    if never:
        return never
    if identity in seen:
        return "links back to a folder already read (symbolic link loop); skipped"
    seen.add(identity)
    return None


def _identity(folder: Path) -> tuple[int, int]:
    info = folder.stat()
    return info.st_dev, info.st_ino


def _drain(errors: list[OSError]) -> list[OSError]:
    taken = errors[:]
    errors.clear()
    return taken


def _unlisted(exc: OSError) -> Skipped:
    return Skipped(display(str(exc.filename)), f"cannot list this folder: {os_reason(exc)}")
