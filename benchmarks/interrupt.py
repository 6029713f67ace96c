"""How long a command takes to stop when interrupted: starts it, sends it SIGINT (to it alone,
not its workers, as ``kill -INT`` does) after ``--after`` seconds, and prints how long it took to
exit, its exit status, its worker count at the interrupt and its last words.

    python benchmarks/interrupt.py --after 3 -- prov scan CORPUS -o OUT --workers 2 --quiet
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--after", type=float, default=3.0, help="seconds before the interrupt")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    # A shell running this in the background ignores SIGINT, and its children inherit that:
    # the command gets the default back, so that Python turns SIGINT into KeyboardInterrupt.
    child = subprocess.Popen(
        command, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), stderr=subprocess.PIPE, text=True
    )
    time.sleep(args.after)
    workers = subprocess.run(["ps", "--ppid", str(child.pid), "-o", "pid="], capture_output=True, text=True)
    started = time.perf_counter()
    child.send_signal(signal.SIGINT)
    _, err = child.communicate()
    took = time.perf_counter() - started
    last = err.strip().splitlines()[-1] if err.strip() else ""
    print(f"workers {len(workers.stdout.split())}; exit {child.returncode} after {took:.2f} s; {last}")


if __name__ == "__main__":
    main()
