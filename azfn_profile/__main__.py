from __future__ import annotations

from azfn_profile.cli import main

raise SystemExit(main())
