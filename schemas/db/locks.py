"""Advisory lock keys that more than one service takes, defined once."""

from typing import Final

# First key of the two-key transaction advisory lock "the read-side publisher of lot <id>":
# ingest's outbox (ingest_service/publisher.py) and the API's override publish
# (api_service/services/admin_overrides.py) both hold it while they publish a lot's retained
# state, so those messages go out in commit order whoever sends them.
PUBLISH_LOCK_CLASS: Final = 0x5041524B  # "PARK"

# Session advisory lock "the operations job": the one ingest worker holding it runs the
# periodic housekeeping and alerting (ingest_service/operations.py); the others wait.
OPERATIONS_LOCK_CLASS: Final = 0x4F505321  # "OPS!"
