"""Migration steps, one module per feature; the order is fixed in kiosk/migrations.py."""
