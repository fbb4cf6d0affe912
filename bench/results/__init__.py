"""What a run stores: each figure's record (one schema)."""
