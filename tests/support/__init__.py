"""Helpers the test suites share: real local servers standing in for the outside world."""
