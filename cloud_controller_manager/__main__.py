from __future__ import annotations

import sys

from cloud_controller_manager.cli import main

if __name__ == "__main__":
    sys.exit(main())
