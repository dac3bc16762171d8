"""``python -m mlaudit``."""

from mlaudit.cli.main import main

raise SystemExit(main())
