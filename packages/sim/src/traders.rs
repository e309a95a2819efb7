//! Who trades ACN on the pool each day, and how much: the sellers' book and the day's swaps.
//!
//! Sellers (recipients of the liquid genesis allocations, vesting beneficiaries, providers, grant
//! recipients, fleets that left) add what they
//! mean to sell to the book as it reaches them, and sell `1 / sell_over_days` of what they still
//! mean to sell each day, from their own balance (a trade under one ACN waits). Outside buyers —
//! the `holders` account, which also holds the liquid allocations — bring the day's USD and buy
//! with all the USD they hold, half before the sellers and half after, so neither side always
//! trades first.

use std::collections::BTreeMap;

use acn_client::ChainExt;
use anyhow::Result;

use crate::chain::SimChain;
use crate::config::TOKEN;
use crate::pool::{Actor, Pool};

/// What sellers still mean to sell, by address (base units of ACN), with the account each
/// sells from.
#[derive(Clone, Debug, Default)]
pub struct SellBook {
    orders: BTreeMap<String, (Actor, u128)>,
}

/// The day's trades on the pool.
#[derive(Clone, Copy, Debug, Default)]
pub struct TradeDay {
    /// ACN sold by sellers, base units.
    pub acn_sold: u128,
    /// Stable they received.
    pub usd_received: u128,
    /// Stable spent by outside buyers.
    pub usd_spent: u128,
    /// ACN they bought.
    pub acn_bought: u128,
    /// Swaps made.
    pub swaps: u64,
}

impl SellBook {
    /// `seller` means to sell `amount` more.
    pub fn add(&mut self, seller: &Actor, amount: u128) {
        if amount > 0 {
            self.orders
                .entry(seller.addr.clone())
                .or_insert_with(|| (seller.clone(), 0))
                .1 += amount;
        }
    }

    /// Everything sellers still mean to sell.
    pub fn pending(&self) -> u128 {
        self.orders.values().map(|(_, a)| a).sum()
    }

    /// The day's swaps: `buyer` spends half its stable, each seller (in the order of their
    /// addresses) sells its slice, `buyer` spends the rest (each swap within the pool's
    /// per-trade bound).
    pub fn trade<C: SimChain + ?Sized>(
        &mut self,
        c: &C,
        pool: &Pool,
        buyer: &Actor,
        sell_over_days: u32,
    ) -> Result<TradeDay> {
        let mut day = TradeDay::default();
        let half = pool.usd_balance(c, &buyer.addr)? / 2;
        buy(c, pool, buyer, half, &mut day)?;
        let sellers: Vec<String> = self.orders.keys().cloned().collect();
        for key in sellers {
            let (seller, wanted) = self.orders[&key].clone();
            let slice = wanted.div_ceil(sell_over_days as u128);
            let amount = slice.min(c.balance(&seller.addr)?);
            if amount < TOKEN {
                continue;
            }
            let (sold, got) = pool.sell(c, &seller, amount)?;
            if sold > 0 {
                day.swaps += 1;
            }
            day.acn_sold += sold;
            day.usd_received += got;
            let left = wanted - sold.min(wanted);
            if left == 0 {
                self.orders.remove(&key);
            } else {
                self.orders.insert(key, (seller, left));
            }
        }
        let rest = pool.usd_balance(c, &buyer.addr)?;
        buy(c, pool, buyer, rest, &mut day)?;
        Ok(day)
    }
}

fn buy<C: SimChain + ?Sized>(
    c: &C,
    pool: &Pool,
    buyer: &Actor,
    usd: u128,
    day: &mut TradeDay,
) -> Result<()> {
    if usd < TOKEN {
        return Ok(());
    }
    let (spent, got) = pool.buy(c, buyer, usd)?;
    day.usd_spent += spent;
    day.acn_bought += got;
    day.swaps += u64::from(spent > 0);
    Ok(())
}
