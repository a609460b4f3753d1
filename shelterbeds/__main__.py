from shelterbeds.cli import main

raise SystemExit(main())
