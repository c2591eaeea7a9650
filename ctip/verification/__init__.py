"""On-site verification of allegations: plan, team, evidence, findings, other-agency sign-off."""
