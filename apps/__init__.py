"""Applications bundled with the platform library (built into images by the stacks)."""
