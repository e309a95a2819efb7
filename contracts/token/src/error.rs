use cosmwasm_std::StdError;
use thiserror::Error;

/// Errors of the token contract.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    /// A storage or serialization error.
    #[error(transparent)]
    Std(#[from] StdError),

    /// An error from cw20-base (balances, allowances, minting, marketing).
    #[error(transparent)]
    Cw20(#[from] cw20_base::ContractError),

    /// An ownership error (not the owner, no pending transfer, …).
    #[error(transparent)]
    Ownership(#[from] cw_ownable::OwnershipError),
}
