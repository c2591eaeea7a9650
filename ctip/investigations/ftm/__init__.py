"""FollowTheMoney: reading and writing entities in the format of Aleph and OpenSanctions."""
