"""Allow `python -m qmskit`, which CI images without the console script still have."""

from qmskit.cli import main

raise SystemExit(main())
