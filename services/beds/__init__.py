"""beds: sites, rooms, places, holds, stays, the nightly ledger and the clocks that drive them."""
