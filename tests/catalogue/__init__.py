"""Tests of the shipped catalogue, its listings and its refresh."""
