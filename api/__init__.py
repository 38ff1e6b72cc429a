"""The DRF glue every API module shares: the error handler and its schema, pagination, token
authentication, and the URL root of /api/v1/."""
