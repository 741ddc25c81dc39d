"""End-to-end tests: real browsers (Playwright, Chromium) against a real daphne server."""
