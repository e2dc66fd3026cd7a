"""The build context as pulumi-docker v4 sees it: its digest, a tag, and a staged copy.

**Why this module exists.** pulumi-docker v4's ``docker.Image`` computes ``build.contextDigest``
in its ``Check`` and its ``Diff`` compares the whole ``build`` object (``context``, ``dockerfile``,
``contextDigest``, ``platform``, ``args``, ``target``) with the last deploy's. Any difference
rebuilds and pushes ``imageName``. In an ``IMMUTABLE`` ECR repository a push of a tag that exists
already is refused, so the tag must change whenever the provider would rebuild. The provider's
digest (``provider/provider.go``, ``hashContext`` and ``contextHashAccumulator.hashPath``, v4.11.2)
hashes, for the Dockerfile (under the fixed name ``Dockerfile`` and mode 0) and for every file
that ``.dockerignore`` keeps (walked by ``tonistiigi/fsutil`` with ``moby/patternmatcher``): the
relative path, Go's ``FileMode.String()`` (every permission bit, so a checkout made under umask
077 differs from one made under 022) and the SHA-256 of the content; directories are skipped.
Absolute paths in ``context``/``dockerfile`` differ between checkouts too.

**What ContainerImage does about it** (`stage_context`): it builds from a *staged copy* of the
context, written once under the project (``.build/images/<tag>/``, relative to the program's
working directory): only the files ``.dockerignore`` keeps, each with mode 0644, or 0755 when the
owner may execute it (exactly what git records), symlinks replaced by what they point to, plus the
Dockerfile and the ignore file. The provider therefore hashes a tree that depends on the content
and the executable bits only, at a path that is the same on every machine.

**The tag** is ``ctx-`` and 24 hex digits of a SHA-256 over: `provider_context_digest` of that
staged tree (computed here exactly as the provider computes it, before the copy is written), the
kept directories, the Dockerfile's place, platform, target, build arguments and the pulumi-docker
version. Everything the provider compares under ``build`` is a function of the tag (the staged
path *is* ``.build/images/<tag>``), and the tag covers everything the provider hashes. So a
rebuild always pushes a tag the repository has never held, and an unchanged context keeps its
tag, its staged path and its image (nothing is pushed). The tag may change where the provider
alone would not rebuild (an empty directory added, a pulumi-docker upgrade): that only costs one
extra build under a new tag, never a refused push.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

TAG_PREFIX = "ctx-"
TAG_HEX_LENGTH = 24
STAGED_FILE_MODE = 0o644
STAGED_EXECUTABLE_MODE = 0o755
STAGING_SUBDIR = Path(".build") / "images"

# -- .dockerignore: moby/patternmatcher v0.6.0 and its ignorefile.ReadAll, ported -----------------


def _go_clean(path: str) -> str:
    """Go's ``filepath.Clean`` on a '/'-separated path."""
    if path == "":
        return "."
    cleaned = os.path.normpath(path).replace(os.sep, "/")
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def read_ignore_file(text: str) -> list[str]:
    """Patterns of an ignore file as ``ignorefile.ReadAll`` returns them: a UTF-8 BOM stripped,
    ``#`` lines and blank lines dropped, each pattern trimmed, cleaned and without a leading '/'."""
    patterns = []
    for number, raw in enumerate(text.splitlines()):
        line = raw.removeprefix("\ufeff") if number == 0 else raw
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        invert = line.startswith("!")
        if invert:
            line = line[1:].strip()
        if line:
            line = _go_clean(line)
            if len(line) > 1 and line.startswith("/"):
                line = line[1:]
        patterns.append(("!" if invert else "") + line)
    return patterns


def ignore_file(context: Path, dockerfile: Path) -> Path | None:
    """The ignore file the build uses: ``<Dockerfile>.dockerignore`` if present, else the context's."""
    for candidate in (Path(f"{dockerfile}.dockerignore"), context / ".dockerignore"):
        if candidate.is_file():
            return candidate
    return None


def dockerignore_patterns(context: Path, dockerfile: Path | None = None) -> list[str]:
    """The ignore patterns of ``context`` (for ``dockerfile``, whose own ignore file wins)."""
    found = ignore_file(context, dockerfile or context / "Dockerfile")
    return read_ignore_file(found.read_text(encoding="utf-8")) if found else []


_ESCAPED = frozenset(".+()|{}$")


class _Pattern:
    """One pattern, matched as ``patternmatcher.Pattern.match`` does (its ``compile``, ported)."""

    def __init__(self, cleaned: str, exclusion: bool) -> None:
        self.cleaned = cleaned
        self.exclusion = exclusion
        self.kind, self.regex = self._compile()

    def _compile(self) -> tuple[str, re.Pattern[str] | None]:
        pattern, out, kind, i = self.cleaned, "^", "exact", 0
        position = 0
        while i < len(pattern):
            ch = pattern[i]
            i += 1
            if ch == "*":
                if i < len(pattern) and pattern[i] == "*":
                    i += 1
                    if i < len(pattern) and pattern[i] == "/":
                        i += 1
                    if i >= len(pattern):
                        if kind == "exact":
                            kind = "prefix"
                        else:
                            out += ".*"
                            kind = "regexp"
                    else:
                        out += "(.*/)?"
                        kind = "regexp"
                    if position == 0:
                        kind = "suffix"
                else:
                    out += "[^/]*"
                    kind = "regexp"
            elif ch == "?":
                out += "[^/]"
                kind = "regexp"
            elif ch in _ESCAPED:
                out += "\\" + ch
            elif ch == "\\":
                if i < len(pattern):
                    out += "\\" + pattern[i]
                    i += 1
                    kind = "regexp"
                else:
                    out += "\\"
            elif ch in "[]":
                out += ch
                kind = "regexp"
            else:
                out += ch
            position += 1
        if kind != "regexp":
            return kind, None
        try:
            return kind, re.compile(out + "$")
        except re.error as exc:
            raise ValueError(f"invalid .dockerignore pattern {self.cleaned!r}: {exc}") from exc

    def match(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.cleaned
        if self.kind == "prefix":
            return path.startswith(self.cleaned[:-2])
        if self.kind == "suffix":
            suffix = self.cleaned[2:]
            return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
        assert self.regex is not None
        return self.regex.fullmatch(path) is not None


class IgnoreRules:
    """Which context paths the build leaves out: ``patternmatcher.PatternMatcher``, exceptions included."""

    def __init__(self, patterns: list[str]) -> None:
        self.patterns: list[_Pattern] = []
        for raw in patterns:
            text = raw.strip()
            if not text:
                continue
            text = _go_clean(text)
            exclusion = text.startswith("!")
            if exclusion:
                if len(text) == 1:
                    raise ValueError('illegal exclusion pattern: "!"')
                text = text[1:]
            self.patterns.append(_Pattern(text, exclusion))
        self.exclusions = any(p.exclusion for p in self.patterns)
        self._prefix_only_exceptions = not any(
            p.exclusion and any(c in _without_trailing_glob(p.cleaned) for c in "*[]?^\\") for p in self.patterns
        )

    def excludes(self, relative: str) -> bool:
        """``MatchesOrParentMatches``: whether ``relative`` (or a parent directory) is left out."""
        matched, _ = self.match(relative, None)
        return matched

    def match(self, relative: str, parent: list[bool] | None) -> tuple[bool, list[bool]]:
        """``MatchesUsingParentResults``: the verdict and the per-pattern results for children."""
        matched = False
        results = [False] * len(self.patterns)
        parent_path = relative.rsplit("/", 1)[0] if "/" in relative else "."
        for i, pattern in enumerate(self.patterns):
            hit = parent[i] if parent else False
            if not hit:
                if pattern.exclusion != matched:
                    continue
                hit = pattern.match(relative)
                if not hit and not parent and parent_path != ".":
                    dirs = parent_path.split("/")
                    hit = any(pattern.match("/".join(dirs[: j + 1])) for j in range(len(dirs)))
            results[i] = hit
            if hit:
                matched = not pattern.exclusion
        return matched, results

    def may_keep_inside(self, directory: str) -> bool:
        """Whether an excluded directory can hold kept paths (fsutil walks into it only then)."""
        if not self.exclusions or not self._prefix_only_exceptions:
            return self.exclusions
        prefix = directory + "/"
        return any(p.exclusion and (_without_trailing_glob(p.cleaned) + "/").startswith(prefix) for p in self.patterns)


def _without_trailing_glob(pattern: str) -> str:
    return pattern.removesuffix("/**").removesuffix("/*")


# -- the walk and the digest: fsutil.Walk and pulumi-docker's hashContext, ported ---------------


@dataclass(frozen=True)
class Entry:
    """One path the build sends: relative ('/'-separated), its lstat, and where it is."""

    relative: str
    mode: int
    path: Path


def walk(context: Path, rules: IgnoreRules, *, skip: Path | None = None) -> Iterator[Entry]:
    """Every kept path under ``context`` in ``filepath.WalkDir`` order (names sorted per directory,
    a directory's contents right after it), as ``fsutil.Walk`` with ``ExcludePatterns`` yields them.
    ``skip`` (the staging directory, when it lies inside the context) is never entered."""

    def visit(directory: Path, relative: str, parent: list[bool] | None) -> Iterator[Entry]:
        for name in sorted(os.listdir(directory)):
            path = directory / name
            rel = f"{relative}/{name}" if relative else name
            if skip is not None and path.resolve() == skip:
                continue
            st = os.lstat(path)
            is_dir = stat.S_ISDIR(st.st_mode)
            excluded, results = rules.match(rel, parent)
            if excluded:
                if is_dir and rules.may_keep_inside(rel):
                    yield from visit(path, rel, results)
                continue
            yield Entry(rel, st.st_mode, path)
            if is_dir:
                yield from visit(path, rel, results)

    yield from visit(context, "", None)


_GO_TYPE_BITS = "dalTLDpSugct?"


def go_file_mode(st_mode: int) -> str:
    """Go's ``fs.FileMode.String()`` for a Unix ``st_mode`` (as ``os.Lstat`` reports it to Go)."""
    kind = stat.S_IFMT(st_mode)
    flags = {
        "d": kind == stat.S_IFDIR,
        "L": kind == stat.S_IFLNK,
        "D": kind in (stat.S_IFBLK, stat.S_IFCHR),
        "p": kind == stat.S_IFIFO,
        "S": False,  # fsutil clears the socket bit
        "u": bool(st_mode & stat.S_ISUID),
        "g": bool(st_mode & stat.S_ISGID),
        "c": kind == stat.S_IFCHR,
        "t": bool(st_mode & stat.S_ISVTX),
    }
    head = "".join(c for c in _GO_TYPE_BITS if flags.get(c)) or "-"
    rwx = "".join(c if st_mode & (1 << (8 - i)) else "-" for i, c in enumerate("rwxrwxrwx"))
    return head + rwx


def _sha256_file(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.digest()


def _record(relative: str, mode: str, content_digest: bytes) -> bytes:
    # hashPath: the clean '/'-path, FileMode.String(), the content's SHA-256, then a zero byte.
    return _go_clean(relative).encode() + mode.encode() + content_digest + b"\x00"


def provider_context_digest(context: str | Path, dockerfile: str | Path) -> str:
    """``build.contextDigest`` exactly as pulumi-docker v4's ``hashContext`` computes it.

    The Dockerfile first, named ``Dockerfile`` with mode 0 (``----------``); then every kept
    non-directory entry in walk order: symlinks by their resolved target path (not followed),
    regular files by content, other files by nothing.
    """
    root, dockerfile_path = Path(context), Path(dockerfile)
    rules = IgnoreRules(dockerignore_patterns(root, dockerfile_path))
    buffer = bytearray(_record("Dockerfile", go_file_mode(0), _sha256_file(dockerfile_path)))
    for entry in walk(root, rules):
        if stat.S_ISDIR(entry.mode):
            continue
        if stat.S_ISLNK(entry.mode):
            target = os.path.relpath(os.path.realpath(entry.path)) if not root.is_absolute() else entry.path.resolve()
            content = hashlib.sha256(str(target).replace(os.sep, "/").encode()).digest()
        elif stat.S_ISREG(entry.mode):
            content = _sha256_file(entry.path)
        else:
            content = hashlib.sha256(b"").digest()
        buffer += _record(entry.relative, go_file_mode(entry.mode), content)
    return hashlib.sha256(bytes(buffer)).hexdigest()


# -- the staged context and its tag ------------------------------------------------------------


@dataclass(frozen=True)
class StagedFile:
    relative: str
    source: Path
    executable: bool


@dataclass(frozen=True)
class StagedContext:
    """Where `stage_context` put the build context, relative to the working directory."""

    tag: str
    context: str
    dockerfile: str


class StagingError(ValueError):
    """A build context that cannot be staged; the message says what to change."""


def _executable(source: Path) -> bool:
    return bool(os.stat(source).st_mode & stat.S_IXUSR)


def _plan(context: Path, dockerfile: Path, skip: Path | None) -> tuple[list[str], list[StagedFile]]:
    """The directories and files of the staged copy (before it is written)."""
    rules = IgnoreRules(dockerignore_patterns(context, dockerfile))
    dirs: list[str] = []
    files: list[StagedFile] = []
    for entry in walk(context, rules, skip=skip):
        if stat.S_ISDIR(entry.mode):
            dirs.append(entry.relative)
        elif stat.S_ISLNK(entry.mode) and entry.path.is_dir():
            raise StagingError(
                f"{entry.path} is a symlink to a directory; the staged build context copies files only, "
                "so replace the link with the directory (or list it in .dockerignore)"
            )
        elif entry.path.is_file():  # a regular file, or a symlink to one (copied as its target)
            files.append(StagedFile(entry.relative, entry.path, _executable(entry.path)))
        elif stat.S_ISLNK(entry.mode):
            raise StagingError(f"{entry.path} is a broken symlink; remove it or list it in .dockerignore")
    return dirs, files


def _virtual_digest(dockerfile: Path, files: list[StagedFile]) -> str:
    """`provider_context_digest` of the staged copy, computed from the sources (same bytes, modes 0644/0755)."""
    buffer = bytearray(_record("Dockerfile", go_file_mode(0), _sha256_file(dockerfile)))
    for f in files:
        mode = stat.S_IFREG | (STAGED_EXECUTABLE_MODE if f.executable else STAGED_FILE_MODE)
        buffer += _record(f.relative, go_file_mode(mode), _sha256_file(f.source))
    return hashlib.sha256(bytes(buffer)).hexdigest()


def _pulumi_docker_version() -> str:
    try:
        return metadata.version("pulumi_docker")
    except metadata.PackageNotFoundError:  # pragma: no cover (a dependency of this package)
        return "unknown"


def _tag(
    digest: str,
    dirs: list[str],
    dockerfile_place: str,
    *,
    platform: str,
    target: str,
    build_args: Mapping[str, str],
) -> str:
    h = hashlib.sha256()

    def feed(*parts: str) -> None:
        for part in parts:
            data = part.encode()
            h.update(len(data).to_bytes(8, "big"))
            h.update(data)

    feed("pulumi-docker", _pulumi_docker_version(), "digest", digest, "dockerfile", dockerfile_place)
    feed("platform", platform, "target", target)
    for key in sorted(build_args):
        feed("arg", key, build_args[key])
    for d in dirs:
        feed("dir", d)
    return TAG_PREFIX + h.hexdigest()[:TAG_HEX_LENGTH]


def _dockerfile_place(context: Path, dockerfile: Path) -> str | None:
    """The Dockerfile's path inside the context, or None when it lives outside."""
    try:
        return dockerfile.resolve().relative_to(context.resolve()).as_posix()
    except ValueError:
        return None


def context_tag(
    context: str | Path,
    dockerfile: str | Path,
    *,
    platform: str = "",
    target: str = "",
    build_args: Mapping[str, str] | None = None,
    skip: Path | None = None,
) -> str:
    """The tag ``ContainerImage`` pushes the context under: ``ctx-`` and 24 hex digits."""
    root, dockerfile_path = Path(context), Path(dockerfile)
    dirs, files = _plan(root, dockerfile_path, skip)
    place = _dockerfile_place(root, dockerfile_path)
    return _tag(
        _virtual_digest(dockerfile_path, files),
        dirs,
        place if place is not None else "(outside the context)",
        platform=platform,
        target=target,
        build_args=dict(build_args or {}),
    )


def context_hash(
    context: str | Path,
    dockerfile: str | Path,
    *,
    platform: str = "",
    target: str = "",
    build_args: Mapping[str, str] | None = None,
) -> str:
    """The 24 hex digits of `context_tag` (what decides the built image)."""
    tag = context_tag(context, dockerfile, platform=platform, target=target, build_args=build_args)
    return tag.removeprefix(TAG_PREFIX)


def staging_root(cwd: Path | None = None) -> Path:
    """``.build/images`` in the project: the nearest directory from ``cwd`` upwards holding a
    ``Pulumi.yaml`` (the Pulumi CLI's rule), else ``cwd`` itself."""
    here = (cwd or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / "Pulumi.yaml").is_file():
            return directory / STAGING_SUBDIR
    return here / STAGING_SUBDIR


def stage_context(
    context: str | Path,
    dockerfile: str | Path,
    *,
    platform: str = "",
    target: str = "",
    build_args: Mapping[str, str] | None = None,
    root: Path | None = None,
) -> StagedContext:
    """Write (once) the normalized copy of the context under ``root/<tag>`` and say where it is.

    ``root`` defaults to `staging_root`. The copy appears atomically (written beside it, then
    renamed), so two programs staging the same context at once both end with the same complete
    directory; an existing one is reused as it is (its name is its content).
    """
    source, dockerfile_path = Path(context).resolve(), Path(dockerfile).resolve()
    root = (root or staging_root()).resolve()
    dirs, files = _plan(source, dockerfile_path, root)
    place = _dockerfile_place(source, dockerfile_path)
    tag = _tag(
        _virtual_digest(dockerfile_path, files),
        dirs,
        place if place is not None else "(outside the context)",
        platform=platform,
        target=target,
        build_args=dict(build_args or {}),
    )
    final = root / tag
    staged_dockerfile = final / place if place is not None else root / f"{tag}.Dockerfile"
    if not final.is_dir():
        _write(final, source, dockerfile_path, dirs, files, staged_dockerfile)
    cwd = Path.cwd().resolve()
    return StagedContext(
        tag=tag,
        context=Path(os.path.relpath(final, cwd)).as_posix(),
        dockerfile=Path(os.path.relpath(staged_dockerfile, cwd)).as_posix(),
    )


def _copy(source: Path, destination: Path, mode: int) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)
    os.chmod(destination, mode)


def _write(
    final: Path, source: Path, dockerfile: Path, dirs: list[str], files: list[StagedFile], staged_dockerfile: Path
) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    scratch = final.parent / f".{final.name}.{uuid.uuid4().hex}"
    try:
        scratch.mkdir()
        os.chmod(scratch, STAGED_EXECUTABLE_MODE)
        for d in dirs:
            (scratch / d).mkdir(parents=True, exist_ok=True)
            os.chmod(scratch / d, STAGED_EXECUTABLE_MODE)
        for f in files:
            _copy(f.source, scratch / f.relative, STAGED_EXECUTABLE_MODE if f.executable else STAGED_FILE_MODE)
        ignore = ignore_file(source, dockerfile)
        inside = staged_dockerfile.is_relative_to(final)
        target_dockerfile = scratch / staged_dockerfile.relative_to(final) if inside else staged_dockerfile
        _copy(dockerfile, target_dockerfile, STAGED_FILE_MODE)
        if ignore is not None:
            own = ignore == Path(f"{dockerfile}.dockerignore")
            where = Path(f"{target_dockerfile}.dockerignore") if own else scratch / ".dockerignore"
            _copy(ignore, where, STAGED_FILE_MODE)
        for directory in (p for p in scratch.rglob("*") if p.is_dir() and not p.is_symlink()):
            os.chmod(directory, STAGED_EXECUTABLE_MODE)  # parents made for excepted paths, whatever the umask
        try:
            scratch.rename(final)
        except OSError:
            if not final.is_dir():
                raise
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
