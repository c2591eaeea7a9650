"""Sanctions and watch lists: loading a FollowTheMoney list, screening against it, decisions."""
