"""chiprisk.data: the curated, sourced dataset of the AI-chip supply chain."""
