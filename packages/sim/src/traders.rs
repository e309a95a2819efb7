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

use acn_testing::Suite;
use anyhow::Result;
use cosmwasm_std::Addr;

use crate::config::TOKEN;
use crate::pool::Pool;

/// What sellers still mean to sell, by address (base units of ACN).
#[derive(Clone, Debug, Default)]
pub struct SellBook {
    orders: BTreeMap<Addr, u128>,
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
    pub fn add(&mut self, seller: &Addr, amount: u128) {
        if amount > 0 {
            *self.orders.entry(seller.clone()).or_default() += amount;
        }
    }

    /// Everything sellers still mean to sell.
    pub fn pending(&self) -> u128 {
        self.orders.values().sum()
    }

    /// The day's swaps: `buyer` spends half its stable, each seller sells its slice, `buyer`
    /// spends the rest (each swap within the pool's per-trade bound).
    pub fn trade(
        &mut self,
        s: &mut Suite,
        pool: &Pool,
        buyer: &Addr,
        sell_over_days: u32,
    ) -> Result<TradeDay> {
        let mut day = TradeDay::default();
        let half = pool.usd_balance(s, buyer) / 2;
        buy(s, pool, buyer, half, &mut day)?;
        let sellers: Vec<Addr> = self.orders.keys().cloned().collect();
        for seller in sellers {
            let wanted = self.orders[&seller];
            let slice = wanted.div_ceil(sell_over_days as u128);
            let amount = slice.min(s.balance(seller.clone()));
            if amount < TOKEN {
                continue;
            }
            let (sold, got) = pool.sell(s, &seller, amount)?;
            if sold > 0 {
                day.swaps += 1;
            }
            day.acn_sold += sold;
            day.usd_received += got;
            let left = wanted - sold.min(wanted);
            if left == 0 {
                self.orders.remove(&seller);
            } else {
                self.orders.insert(seller, left);
            }
        }
        let rest = pool.usd_balance(s, buyer);
        buy(s, pool, buyer, rest, &mut day)?;
        Ok(day)
    }
}

fn buy(s: &mut Suite, pool: &Pool, buyer: &Addr, usd: u128, day: &mut TradeDay) -> Result<()> {
    if usd < TOKEN {
        return Ok(());
    }
    let (spent, got) = pool.buy(s, buyer, usd)?;
    day.usd_spent += spent;
    day.acn_bought += got;
    day.swaps += u64::from(spent > 0);
    Ok(())
}
