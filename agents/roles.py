"""A prosumer's role in one step's P2P market, as int8 codes in the state arrays."""

IDLE, BUYER, SELLER, BANNED = 0, 1, 2, 3
ROLE_NAMES = ("idle", "buyer", "seller", "banned")
