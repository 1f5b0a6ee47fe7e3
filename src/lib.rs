//! ferromd
