import sys

from services.gateway.cli.main import main

sys.exit(main())
