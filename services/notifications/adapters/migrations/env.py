from common.migrations import run_migrations_in_env
from services.notifications.adapters.orm import metadata

run_migrations_in_env(metadata)
