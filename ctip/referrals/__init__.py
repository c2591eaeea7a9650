"""Inter-agency referrals, case tasks, deadlines, service pathways and cross-border exchange."""
