"""Tests of the shared layout and sign-in pages."""
