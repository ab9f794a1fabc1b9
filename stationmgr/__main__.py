from stationmgr.cli import main

raise SystemExit(main())
