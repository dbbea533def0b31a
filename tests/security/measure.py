"""Run the crossover CLI in this process and record its peak memory (for the hostile-file tests).

Usage: python measure.py RSS_FILE crossover-args...
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path

from crossover.cli import main

if __name__ == "__main__":
    rss_file = Path(sys.argv[1])
    try:
        main(sys.argv[2:])
    finally:
        # ru_maxrss is in kilobytes on Linux.
        rss_file.write_text(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
