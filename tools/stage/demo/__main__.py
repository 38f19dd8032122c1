"""`python -m stage.demo`: run the demo (`make stage-demo`)."""

from __future__ import annotations

import sys

from stage.demo.run import main

sys.exit(main())
