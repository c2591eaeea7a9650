"""Who may see and do what: users, agencies, memberships, roles and the one access policy."""
