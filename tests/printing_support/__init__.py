"""Test helpers for printing: a fake network printer and an ESC/POS decoder."""
