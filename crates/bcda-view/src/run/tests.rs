//! Tests of the run machinery.
