from common.migrations import run_migrations_in_env
from services.intake.adapters.orm import metadata

run_migrations_in_env(metadata)
