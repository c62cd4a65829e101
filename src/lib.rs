//! promosim simulates how store credit, promo codes and checkout interact, so
//! that the people who design promotions can prove them right before customers
//! find out they are wrong.
//!
//! Data flows one way through the modules:
//! [`rules`] (source → model) → [`model`] (typed rules) → [`engine`] (accounts,
//! operations, allocation, invariants) → [`scenario`] (YAML suites, the one
//! replay loop and its observers) → [`fuzz`] (random sessions, shrinking) →
//! [`cli`]; [`lsp`], the language server, reads rules and scenarios as `cli`
//! does. Beside them: [`problem`] declares each stage's typed problem kinds
//! and [`codes`] gathers them into the catalogue of stable codes;
//! [`diagnostic`] is the located diagnostic every reader reports with, and
//! [`files`] the bounded reading and atomic writing of user files.
//!
//! Every step an account can take is an [`engine::Operation`], applied by
//! [`engine::Account::apply`]; an [`engine::CheckedAccount`] applies them and
//! checks the engine's invariants and the author's assertions after each.
//!
//! # Example
//!
//! The library does everything the command line does. Here, the shipped rules
//! and one checkout where appstore credit is spent before the selected coins:
//!
//! ```
//! use promosim::engine::{Account, CheckoutRequest, Item, Operation, Outcome};
//! use promosim::model::{money::Money, Source};
//! use rust_decimal::Decimal;
//!
//! let model = promosim::rules::amazon().expect("the shipped rules are valid");
//! let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date");
//! let mut account = Account::new(&model, day, model.default_payment());
//! let appstore = model.wallet("appstore_credit").expect("a wallet");
//! let coins = model.wallet("coins").expect("a wallet");
//! account.open_balance(appstore, Decimal::new(300, 2))?; // 3.00 USD
//! account.open_balance(coins, Decimal::from(500))?; // 500 coins
//!
//! // Amounts inside the engine are minor units of the currency: 499 = 4.99 USD.
//! let apps = model.category("apps").expect("a category");
//! let checkout = Operation::Checkout(CheckoutRequest {
//!     items: vec![Item::new("angry-birds", apps, Money(499))],
//!     pay_with: vec![coins],
//!     ..CheckoutRequest::default()
//! });
//! let Outcome::Checkout(receipt) = account.apply(&checkout)? else {
//!     unreachable!("a checkout's outcome is a receipt")
//! };
//! assert_eq!(receipt.paid_by(Source::Wallet(appstore)), Money(300));
//! assert_eq!(receipt.paid_by(Source::Wallet(coins)), Money(199)); // 199 coins
//! assert_eq!(account.balance(coins), Decimal::from(301));
//! # Ok::<(), promosim::engine::EngineError>(())
//! ```
#![deny(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
#![warn(missing_docs)]

#[macro_use]
pub mod problem;

pub mod cli;
pub mod codes;
pub mod diagnostic;
pub mod engine;
pub mod files;
pub mod fuzz;
pub mod lsp;
pub mod model;
pub mod rules;
pub mod scenario;
