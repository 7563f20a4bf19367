//! warm-up
