"""Job advertisements: the red flags of scam-compound recruitment."""
