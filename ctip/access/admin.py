"""Nothing registered: accounts and memberships change through `ctip create-user`,
`ctip add-membership` and access.services, which check and audit each change."""
