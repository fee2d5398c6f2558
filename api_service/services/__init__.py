"""The service layer: what the API does (reads, writes, audit records, commits); every SQL
statement the API runs lives here, never in views. Refusals are domain errors
(`services.errors`), mapped to problem+json only at the HTTP boundary (`api_service.errors`);
listings page with `services.pagination`."""
