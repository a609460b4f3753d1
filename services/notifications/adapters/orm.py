"""The notifications database: plumbing tables and the read model of beds' sites."""

from common.site_directory import SiteDirectory, site_directory_table
from common.tables import add_plumbing_tables, new_metadata

metadata = new_metadata()
plumbing = add_plumbing_tables(metadata)
known_sites = site_directory_table(metadata)
site_directory = SiteDirectory(known_sites)
