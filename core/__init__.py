"""What every layer may use and that imports nothing of ours: the message identifier, read-only admin
bases, "act then flash" for views, text folding and the shape of a permission decision."""
