"""Check kinds (one module each) and the code checks behind ``kind = "code"`` rules."""
