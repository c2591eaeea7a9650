"""Nothing registered: tokens are issued by `ctip create-token` and the token endpoint
(api.services), which audit each one."""
