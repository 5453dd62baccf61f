//! The update-modifier engine (being written).
