"""Starting, watching and stopping the child processes a benchmark run owns."""

import resource
import signal
import socket
import subprocess
import time


def free_port():
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_fd_limit():
    """Lift this process's soft RLIMIT_NOFILE to its hard limit (children inherit it)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def spawn(argv, log_path, env=None):
    """Start argv in its own session with stdout and stderr appended to log_path."""
    log = open(log_path, "ab")
    try:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                env=env, start_new_session=True)
    finally:
        log.close()


def port_accepts(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for_port(proc, port, timeout, what):
    """Wait until port accepts TCP connections; fail early if proc exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode} before listening")
        if port_accepts(port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout} s")


def stop(proc, grace=10.0):
    """SIGTERM proc (by its own pid), then SIGKILL it if it lingers; True if it had to be."""
    if proc is None or proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
        return False
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return True


def log_lines(path, markers=None):
    """Lines of a log file, or only those containing one of markers."""
    try:
        with open(path, errors="replace") as f:
            lines = [line.rstrip("\n") for line in f if line.strip()]
    except OSError:
        return []
    return [line for line in lines if markers is None or any(m in line for m in markers)]


def tail(path, lines=20):
    try:
        with open(path, "rb") as f:
            return b"".join(f.readlines()[-lines:]).decode(errors="replace")
    except OSError:
        return ""


def exit_status_text(proc):
    rc = proc.poll()
    if rc is None:
        return "running"
    if rc < 0:
        return f"killed by signal {signal.Signals(-rc).name}"
    return f"exited with status {rc}"


def run_checked(argv, log_path, timeout=None):
    """Run argv to completion with output appended to log_path; raise on failure."""
    with open(log_path, "ab") as log:
        rc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            timeout=timeout).returncode
    if rc != 0:
        raise RuntimeError(f"{argv[0]} failed with status {rc}; see {log_path}:\n{tail(log_path)}")

