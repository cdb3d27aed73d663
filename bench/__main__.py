"""`python -m bench`: run every registered benchmark and write bench/RESULTS.md."""

import sys

from bench.run import main

sys.exit(main())
