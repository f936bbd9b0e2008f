"""A release build of tessera, from the committed HEAD (default) or the work tree as it is.

HEAD is exported with `git archive` into <build root>/src, so that edits in progress in the
shared work tree neither break nor change what is measured."""

import os
import shutil
import subprocess

from . import procs


def _head_commit(repo_dir):
    return subprocess.run(["git", "-C", repo_dir, "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


def export_head(repo_dir, dest):
    """Put HEAD's files in dest (unless they are there already); returns the commit."""
    commit = _head_commit(repo_dir)
    stamp = os.path.join(dest, ".bench-commit")
    if os.path.exists(stamp) and open(stamp).read() == commit:
        return commit
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    archive = subprocess.Popen(["git", "-C", repo_dir, "archive", "--format=tar", commit],
                               stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", dest], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise RuntimeError(f"git archive {commit} failed")
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
