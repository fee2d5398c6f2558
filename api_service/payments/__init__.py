"""Payment providers: the interface the payment service talks to, and the ones built in."""
