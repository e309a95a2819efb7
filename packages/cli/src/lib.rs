//! The library half of the `acn` command: the role commands' logic as functions over any
//! [`acn_client::Chain`] (so they run on wasmd and on the embedded chain alike), and their clap
//! arguments. The binary (`src/main.rs`) parses, connects and calls them.
//!
//! - [`agent`]: `acn agent publish|show|list|run|wait` (agent developers and their buyers).
//! - [`job`]: `acn job quote|submit|show|wait|list|expire` (buyers).
//! - [`stake`]: `acn stake bond|unbond|claim|rewards|status` (token holders).
//! - [`sub`]: `acn sub create|topup|cancel|show|trigger|due` (subscribers and keepers).
//! - [`ballots`]: `acn gov show` (tally, votes, your weight) and `acn gov close` (DAO members).

pub mod agent;
pub mod ballots;
pub mod connect;
pub mod job;
pub mod output;
pub mod stake;
pub mod sub;
