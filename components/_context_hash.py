"""A deterministic content hash of a Docker build context, computed at plan time (no Docker needed).

`ContainerImage` tags each build with this hash, so an immutable ECR tag is never reused for
different content and an unchanged context keeps its tag (and is not pushed again).

What is hashed: every file and directory the build would send (relative path with '/' separators,
file type, executable bit, content; symlink targets, not followed), the Dockerfile's path and
content, the target platform, the build target and the build arguments. ``.dockerignore`` rules are
honoured conservatively: plain patterns (``*``, ``?``, ``[...]``, ``**``, a directory excluding its
contents) are applied; if the file has any ``!`` exception, nothing is excluded. Hashing too much
only costs an extra tag; hashing too little could reuse a tag for new content, which an immutable
repository would refuse to push.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path

TAG_PREFIX = "ctx-"
TAG_HEX_LENGTH = 24


def dockerignore_patterns(context: Path) -> list[str]:
    """The ``.dockerignore`` patterns of ``context`` (comments and blank lines dropped, paths cleaned)."""
    path = context / ".dockerignore"
    if not path.is_file():
        return []
    patterns = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        body = os.path.normpath(line[1:] if negated else line).replace(os.sep, "/").lstrip("/")
        if body in ("", "."):
            continue
        patterns.append(("!" if negated else "") + body)
    return patterns


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            if i < len(pattern) and pattern[i] == "/":
                out[-1] = "(?:.*/)?"
                i += 1
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("^" + "".join(out) + "$")


class IgnoreRules:
    """Which context paths the build excludes (conservatively: see the module docstring)."""

    def __init__(self, patterns: list[str]) -> None:
        self.active = bool(patterns) and not any(p.startswith("!") for p in patterns)
        self._regexes = [_pattern_regex(p) for p in patterns] if self.active else []

    def excludes(self, relative: str) -> bool:
        """Whether ``relative`` (a '/'-separated path) or one of its parent directories is ignored."""
        if not self.active:
            return False
        parts = relative.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        return any(rx.match(prefix) for rx in self._regexes for prefix in prefixes)


def _entries(context: Path, rules: IgnoreRules) -> Iterator[tuple[str, os.stat_result, Path]]:
    for root, dirs, files in os.walk(context, followlinks=False):
        dirs.sort()
        rel_root = Path(root).relative_to(context).as_posix()
        kept_dirs = []
        for d in dirs:
            rel = d if rel_root == "." else f"{rel_root}/{d}"
            if rules.excludes(rel):
                continue
            kept_dirs.append(d)
            yield rel, os.lstat(Path(root) / d), Path(root) / d
        dirs[:] = kept_dirs
        for f in sorted(files):
            rel = f if rel_root == "." else f"{rel_root}/{f}"
            if not rules.excludes(rel):
                yield rel, os.lstat(Path(root) / f), Path(root) / f


def context_hash(
    context: str | Path,
    dockerfile: str | Path,
    *,
    platform: str = "",
    target: str = "",
    build_args: Mapping[str, str] | None = None,
) -> str:
    """The hex SHA-256 of everything that decides the built image (see the module docstring)."""
    root = Path(context)
    digest = hashlib.sha256()

    def feed(*parts: str | bytes) -> None:
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)

    feed("platform", platform, "target", target)
    for key in sorted(build_args or {}):
        feed("arg", key, (build_args or {})[key])
    dockerfile_path = Path(dockerfile)
    try:  # the path as the build sees it, so the hash does not depend on where the program runs
        shown = dockerfile_path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = dockerfile_path.name
    feed("dockerfile", shown, dockerfile_path.read_bytes())
    rules = IgnoreRules(dockerignore_patterns(root))
    for rel, st, path in _entries(root, rules):
        if stat.S_ISLNK(st.st_mode):
            feed("link", rel, os.readlink(path))
        elif stat.S_ISDIR(st.st_mode):
            feed("dir", rel)
        elif stat.S_ISREG(st.st_mode):
            executable = "x" if st.st_mode & stat.S_IXUSR else "-"
            file_digest = hashlib.sha256()
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    file_digest.update(chunk)
            feed("file", rel, executable, file_digest.digest())
    return digest.hexdigest()


def context_tag(
    context: str | Path,
    dockerfile: str | Path,
    *,
    platform: str = "",
    target: str = "",
    build_args: Mapping[str, str] | None = None,
) -> str:
    """An image tag for the context: ``ctx-`` and 24 hex digits of `context_hash`."""
    full = context_hash(context, dockerfile, platform=platform, target=target, build_args=build_args)
    return TAG_PREFIX + full[:TAG_HEX_LENGTH]
