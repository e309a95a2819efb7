//! The ACN token: a CW20 (cw20-base used as a library) with a capped minter and a cw-ownable owner.
//!
//! The execute and query messages are the CW20 ones, so any CW20 client talks to the token
//! unchanged; the token adds `UpdateOwnership` / `Ownership` and lets its owner (the DAO) replace
//! the minter.
//!
//! The cap is the token's own: it is fixed at instantiation and bounds everything ever minted
//! (genesis balances included; burning does not make room), whoever the minter is and however
//! often it is replaced or removed.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Binary, Uint128};
use cw20::{Cw20Coin, Expiration, Logo};
use cw_ownable::{cw_ownable_execute, cw_ownable_query};

pub use cw20::{
    AllAccountsResponse, AllAllowancesResponse, AllSpenderAllowancesResponse, AllowanceResponse,
    BalanceResponse, Cw20ReceiveMsg, DownloadLogoResponse, MarketingInfoResponse, MinterResponse,
    TokenInfoResponse,
};
pub use cw20_base::msg::InstantiateMarketingInfo;

/// Creates the token with its genesis balances.
#[cw_serde]
pub struct InstantiateMsg {
    /// Owner (cw-ownable); may replace the minter. Defaults to the instantiator.
    pub owner: Option<String>,
    /// Display name, 3–50 bytes.
    pub name: String,
    /// Ticker, 3–12 letters or `-`.
    pub symbol: String,
    /// Decimal places of the display unit (ACN uses 6).
    pub decimals: u8,
    /// Genesis allocation: who holds how many base units at instantiation.
    pub initial_balances: Vec<Cw20Coin>,
    /// Who may mint and the cap: the most base units ever created, genesis balances included
    /// (burned tokens do not make room again). Fixed at instantiation; without a mint or a cap
    /// the cap is the genesis supply, so nothing can ever be minted beyond it.
    pub mint: Option<MinterResponse>,
    /// Marketing metadata.
    pub marketing: Option<InstantiateMarketingInfo>,
}

/// The CW20 execute messages plus ownership.
#[cw_ownable_execute]
#[cw_serde]
pub enum ExecuteMsg {
    /// Move `amount` from the sender to `recipient`.
    Transfer {
        /// Receiver.
        recipient: String,
        /// Base units to move.
        amount: Uint128,
    },
    /// Destroy `amount` of the sender's tokens, lowering total supply.
    Burn {
        /// Base units to destroy.
        amount: Uint128,
    },
    /// Move `amount` to a contract and call its `Receive(Cw20ReceiveMsg)` with `msg`.
    Send {
        /// Receiving contract.
        contract: String,
        /// Base units to move.
        amount: Uint128,
        /// Hook message passed to the receiving contract.
        msg: Binary,
    },
    /// Let `spender` spend up to `amount` more of the sender's tokens.
    IncreaseAllowance {
        /// Who may spend.
        spender: String,
        /// Added allowance.
        amount: Uint128,
        /// When the allowance lapses.
        expires: Option<Expiration>,
    },
    /// Lower the allowance of `spender` by `amount`.
    DecreaseAllowance {
        /// Who may spend.
        spender: String,
        /// Removed allowance.
        amount: Uint128,
        /// When the allowance lapses.
        expires: Option<Expiration>,
    },
    /// Move `amount` from `owner` to `recipient` using an allowance.
    TransferFrom {
        /// Whose tokens move.
        owner: String,
        /// Receiver.
        recipient: String,
        /// Base units to move.
        amount: Uint128,
    },
    /// `Send` on behalf of `owner` using an allowance.
    SendFrom {
        /// Whose tokens move.
        owner: String,
        /// Receiving contract.
        contract: String,
        /// Base units to move.
        amount: Uint128,
        /// Hook message passed to the receiving contract.
        msg: Binary,
    },
    /// Burn `amount` of `owner`'s tokens using an allowance.
    BurnFrom {
        /// Whose tokens burn.
        owner: String,
        /// Base units to destroy.
        amount: Uint128,
    },
    /// Minter only: create `amount` new tokens for `recipient`; refused when everything ever
    /// minted (genesis included) would exceed the cap.
    Mint {
        /// Receiver of the new tokens.
        recipient: String,
        /// Base units to create.
        amount: Uint128,
    },
    /// Minter or owner: hand the minter role to `new_minter` (or remove it with `None`); the cap
    /// stays what it was.
    UpdateMinter {
        /// The next minter, or none.
        new_minter: Option<String>,
    },
    /// Marketing admin only: update marketing metadata.
    UpdateMarketing {
        /// Project URL.
        project: Option<String>,
        /// Description.
        description: Option<String>,
        /// New marketing admin.
        marketing: Option<String>,
    },
    /// Marketing admin only: upload a logo.
    UploadLogo(Logo),
}

impl ExecuteMsg {
    /// The cw20-base message with the same meaning, for the variants cw20-base handles.
    pub fn into_cw20(self) -> Option<cw20::Cw20ExecuteMsg> {
        use cw20::Cw20ExecuteMsg as C;
        Some(match self {
            Self::Transfer { recipient, amount } => C::Transfer { recipient, amount },
            Self::Burn { amount } => C::Burn { amount },
            Self::Send {
                contract,
                amount,
                msg,
            } => C::Send {
                contract,
                amount,
                msg,
            },
            Self::IncreaseAllowance {
                spender,
                amount,
                expires,
            } => C::IncreaseAllowance {
                spender,
                amount,
                expires,
            },
            Self::DecreaseAllowance {
                spender,
                amount,
                expires,
            } => C::DecreaseAllowance {
                spender,
                amount,
                expires,
            },
            Self::TransferFrom {
                owner,
                recipient,
                amount,
            } => C::TransferFrom {
                owner,
                recipient,
                amount,
            },
            Self::SendFrom {
                owner,
                contract,
                amount,
                msg,
            } => C::SendFrom {
                owner,
                contract,
                amount,
                msg,
            },
            Self::BurnFrom { owner, amount } => C::BurnFrom { owner, amount },
            Self::Mint { recipient, amount } => C::Mint { recipient, amount },
            Self::UpdateMinter { new_minter } => C::UpdateMinter { new_minter },
            Self::UpdateMarketing {
                project,
                description,
                marketing,
            } => C::UpdateMarketing {
                project,
                description,
                marketing,
            },
            Self::UploadLogo(logo) => C::UploadLogo(logo),
            Self::UpdateOwnership(_) => return None,
        })
    }
}

/// The CW20 queries plus ownership.
#[cw_ownable_query]
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Balance of `address` (0 if unknown).
    #[returns(BalanceResponse)]
    Balance {
        /// Account to read.
        address: String,
    },
    /// Name, symbol, decimals and total supply.
    #[returns(TokenInfoResponse)]
    TokenInfo {},
    /// Minter and cap (the token's own cap, reported even if cw20-base's copy was dropped).
    #[returns(Option<MinterResponse>)]
    Minter {},
    /// The cap, everything ever minted and what may still be minted.
    #[returns(MintStatusResponse)]
    MintStatus {},
    /// How much `spender` may spend of `owner`'s tokens.
    #[returns(AllowanceResponse)]
    Allowance {
        /// Token holder.
        owner: String,
        /// Spender.
        spender: String,
    },
    /// All allowances `owner` granted (paginated).
    #[returns(AllAllowancesResponse)]
    AllAllowances {
        /// Token holder.
        owner: String,
        /// Exclusive start (spender address).
        start_after: Option<String>,
        /// Page size.
        limit: Option<u32>,
    },
    /// All allowances granted to `spender` (paginated).
    #[returns(AllSpenderAllowancesResponse)]
    AllSpenderAllowances {
        /// Spender.
        spender: String,
        /// Exclusive start (owner address).
        start_after: Option<String>,
        /// Page size.
        limit: Option<u32>,
    },
    /// All accounts holding tokens (paginated).
    #[returns(AllAccountsResponse)]
    AllAccounts {
        /// Exclusive start (address).
        start_after: Option<String>,
        /// Page size.
        limit: Option<u32>,
    },
    /// Marketing metadata.
    #[returns(MarketingInfoResponse)]
    MarketingInfo {},
    /// The embedded logo.
    #[returns(DownloadLogoResponse)]
    DownloadLogo {},
}

impl QueryMsg {
    /// The cw20-base query with the same meaning, for the variants cw20-base handles.
    pub fn into_cw20(self) -> Option<cw20_base::msg::QueryMsg> {
        use cw20_base::msg::QueryMsg as Q;
        Some(match self {
            Self::Balance { address } => Q::Balance { address },
            Self::TokenInfo {} => Q::TokenInfo {},
            Self::Minter {} => Q::Minter {},
            Self::Allowance { owner, spender } => Q::Allowance { owner, spender },
            Self::AllAllowances {
                owner,
                start_after,
                limit,
            } => Q::AllAllowances {
                owner,
                start_after,
                limit,
            },
            Self::AllSpenderAllowances {
                spender,
                start_after,
                limit,
            } => Q::AllSpenderAllowances {
                spender,
                start_after,
                limit,
            },
            Self::AllAccounts { start_after, limit } => Q::AllAccounts { start_after, limit },
            Self::MarketingInfo {} => Q::MarketingInfo {},
            Self::DownloadLogo {} => Q::DownloadLogo {},
            Self::MintStatus {} | Self::Ownership {} => return None,
        })
    }
}

/// The token's mint cap and how much of it is used.
#[cw_serde]
pub struct MintStatusResponse {
    /// Most base units that may ever be created (genesis balances included).
    pub cap: Uint128,
    /// Base units ever created: genesis balances plus every mint (burns do not lower it).
    pub total_minted: Uint128,
    /// `cap − total_minted`: the most any future mint may still create.
    pub mintable: Uint128,
}

/// Migration parameters (none yet).
#[cw_serde]
pub struct MigrateMsg {}
