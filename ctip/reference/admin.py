"""Nothing registered: reference data come from the shipped files through
`ctip load-reference`, so that every installation holds the same codes."""
