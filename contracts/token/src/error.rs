use cosmwasm_std::{OverflowError, StdError, Uint128};
use thiserror::Error;

/// Errors of the token contract.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    /// A storage or serialization error.
    #[error(transparent)]
    Std(#[from] StdError),

    /// An arithmetic overflow.
    #[error(transparent)]
    Overflow(#[from] OverflowError),

    /// An error from cw20-base (balances, allowances, minting, marketing).
    #[error(transparent)]
    Cw20(#[from] cw20_base::ContractError),

    /// Funds attached to a message (the token takes none: they would be stranded in it).
    #[error(transparent)]
    Payment(#[from] cw_utils::PaymentError),

    /// An ownership error (not the owner, no pending transfer, …).
    #[error(transparent)]
    Ownership(#[from] cw_ownable::OwnershipError),

    /// A mint that would take everything ever minted past the cap.
    #[error("minting {amount} would exceed the mint cap: {total_minted} of {cap} already minted (burned tokens are not minted again)")]
    MintCapExceeded {
        /// The amount asked for.
        amount: Uint128,
        /// Base units ever minted before this mint, genesis included.
        total_minted: Uint128,
        /// The cap fixed at instantiation.
        cap: Uint128,
    },
}
