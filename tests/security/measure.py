"""Run the crossover CLI in this process and record its peak memory (for the hostile-file tests).

Usage: python measure.py RSS_FILE crossover-args...
"""

from __future__ import annotations

import sys
from pathlib import Path

from crossover.cli import main


def peak_rss_kb() -> int:
    """This program's peak resident memory, in kB.

    VmHWM belongs to the address space exec made, unlike getrusage's ru_maxrss, which on
    Linux also counts the parent's memory at fork (a large pytest process would show).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    rss_file = Path(sys.argv[1])
    try:
        main(sys.argv[2:])
    finally:
        rss_file.write_text(str(peak_rss_kb()))
