"""Compiled builds (mypyc) of the migration's hottest modules, used only while they match.

The rules stay plain Python: :data:`MODULES` are compiled as they are, with mypyc, into C
extensions under ``build/mypyc`` (decision 0009). A package that holds one of them calls
:func:`activate` first thing; when the build was made from exactly the sources on disk, the
package finds the compiled module before the ``.py`` file, and otherwise (no build, a stale
build, a source edited since, ``CIR_COMPILED=0``, an installed copy without a build) it keeps
the plain Python module, which gives the same results, only slower.

``python -m cir.compiled`` makes the build when it is missing or stale (``make run`` and
``make test`` do); without a C compiler it says so and the plain modules are used. The same
build compiles the few hand-written C modules of :data:`EXTENSIONS`.
This module imports nothing of Django, so that the migration's processes can use it.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import MutableSequence
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_ROOT.parent
BUILD_ROOT = SOURCE_ROOT.parent / "build" / "mypyc"
STAMP = BUILD_ROOT / "sources.sha256"

MODULES = (
    "cir/domain/migration/insz.py",
    "cir/domain/migration/rules.py",
    "cir/migration/rows.py",
)
"""The modules compiled, relative to ``src``: the rules of the migration, the national-number
checks they call a million times, and the COPY text of the rows the migration writes. The
modules they import are compiled against the same sources, so they are part of the
fingerprint too."""
EXTENSIONS = ("cir/migration/_arenas.c",)
"""Hand-written C, relative to ``src``: the migration's arena allocator in huge pages
(decision 0022). Built beside the compiled modules when a C compiler is there; a build
without it serves all the same (the allocator is an optimisation)."""
FINGERPRINTED = (
    *MODULES,
    *EXTENSIONS,
    "cir/domain/migration/inputs.py",
    "cir/domain/migration/errors.py",
    "cir/domain/migration/planned.py",
    "cir/domain/migration/pacing.py",
)


def fingerprint() -> str:
    """What the build must have been made from: the sources, the Python and the compiler."""
    digest = hashlib.sha256()
    digest.update(sys.version.encode())
    digest.update(str(sysconfig.get_config_var("EXT_SUFFIX")).encode())
    digest.update(_mypy_version().encode())
    for name in FINGERPRINTED:
        digest.update(name.encode())
        digest.update((SOURCE_ROOT / name).read_bytes())
    return digest.hexdigest()


def _mypy_version() -> str:
    try:
        from mypy.version import __version__
    except ImportError:  # an installation without the compiler: nothing can be fresh
        return "none"
    return __version__


def is_fresh() -> bool:
    try:
        return STAMP.read_text().strip() == fingerprint()
    except OSError:
        return False


def activate(package: str, package_path: MutableSequence[str]) -> bool:
    """Let ``package`` (its ``__name__`` and ``__path__``) find its compiled modules, if the
    build is fresh; True when it does."""
    if os.environ.get("CIR_COMPILED", "1") == "0" or not is_fresh():
        return False
    compiled = BUILD_ROOT / package.replace(".", "/")
    if not compiled.is_dir():
        return False
    # mypyc puts the code of all the modules in one library at the top of the build.
    if str(BUILD_ROOT) not in sys.path:
        sys.path.append(str(BUILD_ROOT))
    package_path.insert(0, str(compiled))
    return True


def build(force: bool = False) -> bool:
    """Compile :data:`MODULES` into :data:`BUILD_ROOT` unless the build is fresh; False (and a
    message on stderr) when it cannot be done, in which case the plain modules are used."""
    if not force and is_fresh():
        return True
    if _mypy_version() == "none":
        print("cir.compiled: mypyc is not installed; the plain modules are used", file=sys.stderr)
        return False
    expected = fingerprint()
    with tempfile.TemporaryDirectory(prefix="cir-mypyc-") as work:
        # A copy of the sources, so that the compiler's output never lands beside them (an
        # extension module next to its .py file would win over later edits).
        shutil.copytree(SOURCE_ROOT / "cir", Path(work) / "cir", ignore=_not_python)
        config = Path(work) / "mypyc.ini"
        config.write_text("[mypy]\nignore_missing_imports = True\n")
        done = subprocess.run(
            [sys.executable, "-m", "mypyc", "--config-file", str(config), *MODULES],
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(
                "cir.compiled: mypyc failed; the plain modules are used\n" + done.stdout[-4000:],
                done.stderr[-4000:],
                file=sys.stderr,
            )
            return False
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        for extension in EXTENSIONS:
            _build_extension(Path(work) / extension, suffix)
        shutil.rmtree(BUILD_ROOT, ignore_errors=True)
        for library in Path(work).rglob(f"*{suffix}"):
            if "build" in library.relative_to(work).parts:
                continue  # the compiler's intermediate copies
            target = BUILD_ROOT / library.relative_to(work)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(library, target)
    STAMP.write_text(expected + "\n")
    return True


def _build_extension(source: Path, suffix: str) -> None:
    """Compile one C file of :data:`EXTENSIONS` into a module beside it, with the compiler
    and flags Python was built with; a message when that fails (the build goes on)."""
    linker = sysconfig.get_config_var("LDSHARED") or "cc -shared"
    done = subprocess.run(
        [
            *shlex.split(linker),
            "-fPIC",
            "-O2",
            "-pthread",
            f"-I{sysconfig.get_paths()['include']}",
            str(source),
            "-o",
            str(source.with_suffix("").with_name(source.stem + suffix)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(
            f"cir.compiled: {source.name} did not compile; the migration runs without it\n"
            + done.stderr[-2000:],
            file=sys.stderr,
        )


def _not_python(directory: str, names: list[str]) -> set[str]:
    return {n for n in names if n == "__pycache__" or n.endswith((".so", ".pyc"))}


def main() -> None:
    """``--force`` builds even when fresh; ``--optional`` exits 0 when the build fails (the
    plain modules then serve), as ``make run`` and ``make test`` want it."""
    arguments = sys.argv[1:]
    built = build(force="--force" in arguments)
    sys.exit(0 if built or "--optional" in arguments else 1)


if __name__ == "__main__":
    main()
