import sys

from checker.surfaces.cli import main

sys.exit(main())
