"""A release build of tessera, from the committed HEAD (default) or the work tree as it is.

HEAD is exported with `git archive` into <build root>/src, so that edits in progress in the
shared work tree neither break nor change what is measured."""

import filecmp
import os
import shutil
import subprocess
import tempfile

from . import procs

STAMP = ".bench-commit"


def _head_commit(repo_dir):
    return subprocess.run(["git", "-C", repo_dir, "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


def _same_file(a, b):
    if not os.path.lexists(b) or os.path.islink(a) != os.path.islink(b):
        return False
    if os.path.islink(a):
        return os.readlink(a) == os.readlink(b)
    return filecmp.cmp(a, b, shallow=False)


def _remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.remove(path)


def _sync_tree(src, dest, keep):
    """Make dest hold exactly src's files, writing only those that differ, so that ninja
    rebuilds only what a new commit changed. Names in keep are left alone."""
    for root, _dirs, files in os.walk(src):
        target_dir = os.path.join(dest, os.path.relpath(root, src))
        os.makedirs(target_dir, exist_ok=True)
        for name in files:
            a, b = os.path.join(root, name), os.path.join(target_dir, name)
            if not _same_file(a, b):
                if os.path.lexists(b):
                    os.remove(b)
                shutil.copy(a, b, follow_symlinks=False)
    for root, dirs, files in os.walk(dest, topdown=False):
        rel = os.path.relpath(root, dest)
        for name in files + dirs:
            if name not in keep and not os.path.lexists(os.path.join(src, rel, name)):
                _remove(os.path.join(root, name))


def export_head(repo_dir, dest):
    """Make dest hold HEAD's files (unless it does already); returns the commit."""
    commit = _head_commit(repo_dir)
    stamp = os.path.join(dest, STAMP)
    if os.path.exists(stamp) and open(stamp).read() == commit:
        return commit
    os.makedirs(dest, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(dest))) as fresh:
        archive = subprocess.Popen(["git", "-C", repo_dir, "archive", "--format=tar", commit],
                                   stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", fresh], stdin=archive.stdout, check=True)
        if archive.wait() != 0:
            raise RuntimeError(f"git archive {commit} failed")
        _sync_tree(fresh, dest, keep={STAMP})
    with open(stamp, "w") as f:
        f.write(commit)
    return commit


def meson_build(source_dir, build_dir, log_path):
    """Configure build_dir once, then bring the tessera executable up to date."""
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        if os.path.isdir(os.path.join(build_dir, "meson-logs")):
            shutil.rmtree(build_dir)  # an earlier configure failed half-way
        procs.run_checked(["meson", "setup", build_dir, source_dir, "--buildtype=release"],
                          log_path, timeout=300)
    procs.run_checked(["ninja", "-C", build_dir, "tessera"], log_path, timeout=900)
    return os.path.join(build_dir, "tessera")


def build(repo_dir, build_root, source, log_path):
    """Build tessera from source 'head' or 'worktree'; returns (executable, description)."""
    if source == "head":
        commit = export_head(repo_dir, os.path.join(build_root, "src"))
        executable = meson_build(os.path.join(build_root, "src"),
                                 os.path.join(build_root, "head"), log_path)
        return executable, f"{executable} (release, commit {commit[:10]})"
    executable = meson_build(repo_dir, os.path.join(build_root, "worktree"), log_path)
    return executable, f"{executable} (release, work tree as it is)"
