use cosmwasm_std::{Decimal, OverflowError, StdError, Uint128};
use cw_utils::ParseReplyError;
use thiserror::Error;

/// Errors of the pool contract.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    /// A storage, serialization or address-validation error.
    #[error(transparent)]
    Std(#[from] StdError),

    /// An ownership error (not the owner, …).
    #[error(transparent)]
    Ownership(#[from] cw_ownable::OwnershipError),

    /// Checked arithmetic overflowed or underflowed.
    #[error(transparent)]
    Overflow(#[from] OverflowError),

    /// The share token's instantiation reply could not be read.
    #[error(transparent)]
    ParseReply(#[from] ParseReplyError),

    /// The instantiation does not name exactly one CW20 and one native denom.
    #[error("asset_infos must be exactly one CW20 token and one native denom, got {got}")]
    InvalidAssetInfos {
        /// What was given.
        got: String,
    },

    /// A fee above the limit.
    #[error("fee_bps {fee_bps} is above the maximum of {max} bps")]
    FeeTooHigh {
        /// Requested fee.
        fee_bps: u16,
        /// The limit.
        max: u16,
    },

    /// A message names an asset this pool does not hold (or the same asset twice).
    #[error("{field}: asset {asset} is not one of this pool's assets ({expected})")]
    AssetMismatch {
        /// The message field.
        field: String,
        /// The asset named.
        asset: String,
        /// The pool's assets.
        expected: String,
    },

    /// Funds of another denom were attached.
    #[error("funds: unexpected denom {denom}; this pool accepts only {expected}")]
    UnexpectedDenom {
        /// The denom attached.
        denom: String,
        /// The pool's native denom.
        expected: String,
    },

    /// The attached native amount differs from the amount the message declares.
    #[error("funds: {declared}{denom} declared but {sent}{denom} attached")]
    NativeAmountMismatch {
        /// The pool's native denom.
        denom: String,
        /// The amount in the message.
        declared: Uint128,
        /// The amount attached.
        sent: Uint128,
    },

    /// Native funds were attached to a message that takes none (a CW20 hook, a withdrawal).
    #[error("funds: this message takes no native funds, {funds} attached")]
    UnexpectedFunds {
        /// What was attached.
        funds: String,
    },

    /// A zero amount where a positive one is required.
    #[error("{field}: amount must be greater than zero")]
    ZeroAmount {
        /// The message field.
        field: String,
    },

    /// The CW20 swap must come as a CW20 `Send` with the `Swap` hook, not as `Swap`.
    #[error("offer_asset: the CW20 side is swapped by a CW20 Send to the pool with the swap hook")]
    Cw20SwapNeedsSend,

    /// A CW20 `Send` from a contract that is neither the pool's CW20 nor its share token.
    #[error(
        "unknown token {token}: this pool accepts only its CW20 asset ({cw20}) and its share token"
    )]
    UnknownToken {
        /// The contract that called the hook.
        token: String,
        /// The pool's CW20 asset.
        cw20: String,
    },

    /// The hook does not fit the token sent (a swap hook with shares, a withdrawal with the
    /// CW20 asset).
    #[error("the {hook} hook does not take {token}")]
    WrongHookForToken {
        /// The hook.
        hook: String,
        /// The token sent.
        token: String,
    },

    /// The pool has no liquidity on one side (or none at all).
    #[error("the pool is empty on at least one side (reserves {reserve0}, {reserve1}): provide liquidity first")]
    EmptyPool {
        /// Reserve of the first asset.
        reserve0: Uint128,
        /// Reserve of the second asset.
        reserve1: Uint128,
    },

    /// The first deposit must mint more than the locked minimum of shares.
    #[error("first deposit too small: it mints {shares} shares, more than {minimum} are needed")]
    FirstDepositTooSmall {
        /// sqrt(a · b).
        shares: Uint128,
        /// `MINIMUM_LIQUIDITY`.
        minimum: Uint128,
    },

    /// A deposit or withdrawal too small to move a single share or base unit.
    #[error("the amount is too small: it would mint or return nothing")]
    TooSmall,

    /// The pool's ratio moved: less than (1 − tolerance) of an offered amount would be taken.
    #[error("slippage_tolerance {tolerance} exceeded: only {used} of the {offered} offered would be deposited")]
    SlippageExceeded {
        /// The tolerance.
        tolerance: Decimal,
        /// Amount the ratio allows.
        used: Uint128,
        /// Amount offered.
        offered: Uint128,
    },

    /// A slippage tolerance above 50 %.
    #[error("slippage_tolerance {tolerance} is above the maximum of 0.5")]
    SlippageToleranceTooHigh {
        /// The tolerance.
        tolerance: Decimal,
    },

    /// The swap's spread is above `max_spread`.
    #[error("max_spread {max_spread} exceeded: the swap's spread is {spread}")]
    MaxSpreadAssertion {
        /// The swap's spread (relative).
        spread: Decimal,
        /// The limit.
        max_spread: Decimal,
    },

    /// A `max_spread` above 50 %.
    #[error("max_spread {max_spread} is above the maximum of 0.5")]
    MaxSpreadTooHigh {
        /// The requested limit.
        max_spread: Decimal,
    },

    /// A belief price of zero.
    #[error("belief_price must be greater than zero")]
    ZeroBeliefPrice,

    /// A reverse swap asks for at least the whole reserve.
    #[error("ask_asset: {ask} asked, the reserve holds only {reserve}")]
    InsufficientLiquidity {
        /// Amount asked (fee included).
        ask: Uint128,
        /// The reserve.
        reserve: Uint128,
    },

    /// Astroport's auto-stake into a generator is not supported.
    #[error("auto_stake: staking shares in a generator is not supported; leave it unset or false")]
    AutoStakeUnsupported,

    /// Astroport's imbalanced withdrawal is not supported.
    #[error("assets: only a proportional withdrawal (an empty list) is supported")]
    ImbalancedWithdrawUnsupported,

    /// A reply with an unknown id.
    #[error("unknown reply id {id}")]
    UnknownReply {
        /// The id.
        id: u64,
    },
}
