//! Storage of the token beyond cw20-base's own: the mint cap and everything ever minted.
//!
//! cw20-base keeps its cap inside `MinterData`, which disappears when the minter is set to none;
//! the cap lives here instead, so no sequence of `UpdateMinter` can remove or change it.

use cosmwasm_std::Uint128;
use cw_storage_plus::Item;

/// Most base units that may ever be created: the genesis balances plus every mint. Set at
/// instantiation, never changed.
pub const MINT_CAP: Item<Uint128> = Item::new("mint_cap");

/// Base units ever created: the genesis balances plus every mint. Burning does not lower it, so
/// burned tokens cannot be minted again.
pub const TOTAL_MINTED: Item<Uint128> = Item::new("total_minted");
