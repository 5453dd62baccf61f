//! The filter language, sort, projection and cursors (being written).
