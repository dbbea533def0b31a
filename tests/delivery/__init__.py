"""Tests of the delivery layer: files, batch, email, the results workbook."""
