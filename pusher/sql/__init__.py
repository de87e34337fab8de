"""Everything that talks SQL: dialects, catalog, connections, rendering and deploying."""
