//! promosim simulates how store credit, promo codes and checkout interact, so
//! that the people who design promotions can prove them right before customers
//! find out they are wrong.
//!
//! Data flows one way through the modules:
//! [`rules`] (source → model) → [`model`] (typed rules) → [`engine`] (accounts,
//! grants, ledger, allocation, checkout, invariants) → [`scenario`] (YAML
//! suites) → [`fuzz`] (random sessions, shrinking) → [`cli`]. [`diagnostic`]
//! is the shared error type and bounded file reading that every reader uses.
#![deny(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
#![warn(missing_docs)]

pub mod cli;
pub mod diagnostic;
pub mod engine;
pub mod fuzz;
pub mod model;
pub mod rules;
pub mod scenario;
