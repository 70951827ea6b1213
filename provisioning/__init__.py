"""A kiosk's life before and beside its screen: discovery, pairing, configuration, health,
factory reset (docs/PROVISIONING.md)."""

#: The factory reset's marker in the data directory (provisioning.reset writes it first and
#: removes it last). Here, not in provisioning.reset, so that every ``kiosk`` command can
#: look for it at start without importing the reset machinery.
RESET_MARKER = "factory-reset.pending"
