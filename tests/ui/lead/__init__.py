"""Tests of the lead's Team window (app/ui/lead)."""
