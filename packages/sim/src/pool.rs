//! The market for ACN in the simulator: the genesis ACN / USD pool, its oracle and the buyback
//! vault, driven by real transactions.
//!
//! - USD enters from outside: [`Pool::mint_usd`] mints the stable denom (a card payment, a
//!   stablecoin) and counts it, so the USD books can be checked like the ACN ones.
//! - Trades are swaps on the pool: [`Pool::sell`] sends ACN to the pair (CW20 `Send` with the
//!   `Swap` hook), [`Pool::buy`] swaps USD attached as funds; neither moves more than
//!   [`MAX_TRADE_POOL_BPS`] of the pool's reserve on the side it pays in.
//! - [`Pool::buybacks`] is the keeper: it calls the vault's permissionless `Buyback {}` as often
//!   as the vault's bounds allow in a day, spacing the calls by the vault's `min_interval`, and
//!   waits a TWAP window (the pool idle, so the oracle serves its spot) when a buy is refused for
//!   its distance to the TWAP.

use acn_client::ChainExt;
use acn_interface::{buyback, oracle, pool, token};
use anyhow::{bail, Context, Result};
use cosmwasm_std::{to_json_binary, Decimal, Uint128};

use crate::chain::SimChain;
use crate::config::TOKEN;

/// Largest share of the pool's reserve one simulated swap pays in (10 %): a trader works a
/// larger order over later days (or later swaps) instead.
pub const MAX_TRADE_POOL_BPS: u128 = 1_000;
/// Most `Buyback` attempts the keeper makes in one day.
const MAX_BUYBACK_CALLS: u32 = 64;
/// Smallest stable balance (base units) worth a buy: 1 USD.
const MIN_BUY: u128 = TOKEN;

/// An actor of the simulation: the account name it signs with and its address.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Actor {
    /// Account name (the chain signs for it).
    pub name: String,
    /// Address.
    pub addr: String,
}

impl Actor {
    /// Open the account `name` on `chain`.
    pub fn open<C: SimChain + ?Sized>(chain: &C, name: &str) -> Result<Self> {
        Ok(Actor {
            name: name.to_string(),
            addr: chain.open_account(name)?,
        })
    }
}

/// The pool, its oracle and the vault, and the USD brought into the simulation.
#[derive(Clone, Debug)]
pub struct Pool {
    /// The ACN / stable pair.
    pub pair: String,
    /// The TWAP oracle.
    pub oracle: String,
    /// The buyback vault (the market's fee recipient).
    pub vault: String,
    /// The ACN token.
    pub token: String,
    /// The stable bank denom.
    pub denom: String,
    /// Stable base units that exist in the simulation: the deployer's seed plus everything
    /// brought in since.
    pub usd_supply: u128,
}

/// What the keeper's buybacks did in a day.
#[derive(Clone, Copy, Debug, Default)]
pub struct BuybackDay {
    /// Buys executed.
    pub buys: u32,
    /// Stable spent, base units.
    pub usd_spent: u128,
    /// ACN bought, base units.
    pub acn_bought: u128,
    /// Buys refused for their distance to the TWAP (each followed by a window's wait).
    pub waits: u32,
}

impl Pool {
    /// The deployed pool, oracle and vault of `chain` (the genesis must seed them).
    pub fn of<C: SimChain + ?Sized>(chain: &C, denom: &str, usd_seed: u128) -> Result<Self> {
        let d = chain.deployment();
        Ok(Pool {
            pair: d.pool.clone().context("the genesis deploys the pool")?,
            oracle: d.oracle.clone().context("the genesis deploys the oracle")?,
            vault: d.buyback.clone().context("the genesis deploys the vault")?,
            token: d.token.clone(),
            denom: denom.to_string(),
            usd_supply: usd_seed,
        })
    }

    /// Bring `amount` stable base units to the address `to`: money from outside the system.
    pub fn mint_usd<C: SimChain + ?Sized>(&mut self, c: &C, to: &str, amount: u128) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        c.bring(to, &self.denom, amount)
            .context("bringing in the stable")?;
        self.usd_supply += amount;
        Ok(())
    }

    /// Stable base units held by the address `addr`.
    pub fn usd_balance<C: SimChain + ?Sized>(&self, c: &C, addr: &str) -> Result<u128> {
        Ok(c.bank_balance(addr, &self.denom)?)
    }

    /// The pool's reserves: (ACN, stable), base units.
    pub fn reserves<C: SimChain + ?Sized>(&self, c: &C) -> Result<(u128, u128)> {
        let r: pool::PoolResponse = c.query(&self.pair, &pool::QueryMsg::Pool {})?;
        let mut acn = 0;
        let mut usd = 0;
        for a in r.assets {
            if a.info.is_native() {
                usd = a.amount.u128();
            } else {
                acn = a.amount.u128();
            }
        }
        Ok((acn, usd))
    }

    /// The pool's spot price, USD per ACN.
    pub fn spot<C: SimChain + ?Sized>(&self, c: &C) -> Result<f64> {
        let (acn, usd) = self.reserves(c)?;
        Ok(if acn == 0 {
            0.0
        } else {
            usd as f64 / acn as f64
        })
    }

    /// Sell up to `amount` ACN base units from `seller` (at most [`MAX_TRADE_POOL_BPS`] of the
    /// pool's ACN reserve); returns the ACN sold and the stable received.
    pub fn sell<C: SimChain + ?Sized>(
        &self,
        c: &C,
        seller: &Actor,
        amount: u128,
    ) -> Result<(u128, u128)> {
        let (acn_reserve, _) = self.reserves(c)?;
        let amount = amount.min(acn_reserve * MAX_TRADE_POOL_BPS / 10_000);
        if amount == 0 {
            return Ok((0, 0));
        }
        let before = self.usd_balance(c, &seller.addr)?;
        let hook = pool::Cw20HookMsg::Swap {
            ask_asset_info: None,
            belief_price: None,
            max_spread: Some(Decimal::percent(50)),
            to: None,
        };
        let send = token::ExecuteMsg::Send {
            contract: self.pair.clone(),
            amount: Uint128::new(amount),
            msg: to_json_binary(&hook)?,
        };
        c.execute(&seller.name, &self.token, &send)
            .with_context(|| {
                format!("{} sells {amount} ACN base units on the pool", seller.name)
            })?;
        Ok((amount, self.usd_balance(c, &seller.addr)? - before))
    }

    /// Buy ACN for up to `usd` stable base units held by `buyer` (at most
    /// [`MAX_TRADE_POOL_BPS`] of the pool's stable reserve); returns the stable spent and the
    /// ACN received.
    pub fn buy<C: SimChain + ?Sized>(
        &self,
        c: &C,
        buyer: &Actor,
        usd: u128,
    ) -> Result<(u128, u128)> {
        let (_, usd_reserve) = self.reserves(c)?;
        let usd = usd.min(usd_reserve * MAX_TRADE_POOL_BPS / 10_000);
        if usd == 0 {
            return Ok((0, 0));
        }
        let before = c.balance(&buyer.addr)?;
        let swap = pool::ExecuteMsg::Swap {
            offer_asset: pool::AssetInfo::native(&self.denom).with(usd),
            ask_asset_info: None,
            belief_price: None,
            max_spread: Some(Decimal::percent(50)),
            to: None,
        };
        let msg = serde_json::to_vec(&swap)?;
        c.execute_json_with_funds(&buyer.name, &self.pair, &msg, &[(self.denom.clone(), usd)])
            .with_context(|| format!("{} buys ACN for {usd} stable base units", buyer.name))?;
        Ok((usd, c.balance(&buyer.addr)? - before))
    }

    /// Buy exactly `acn` ACN base units for `buyer` with stable brought to it (a fleet buying
    /// its stake): the amount the pool asks, plus a margin, is brought in; what is left stays
    /// with the buyer. Returns the stable spent.
    pub fn buy_exact<C: SimChain + ?Sized>(
        &mut self,
        c: &C,
        buyer: &Actor,
        acn: u128,
    ) -> Result<u128> {
        let before_acn = c.balance(&buyer.addr)?;
        let mut spent = 0;
        // In swaps of at most MAX_TRADE_POOL_BPS of the stable reserve until it holds enough.
        for _ in 0..64 {
            let got = c.balance(&buyer.addr)? - before_acn;
            if got >= acn {
                return Ok(spent);
            }
            let r: pool::ReverseSimulationResponse = c.query(
                &self.pair,
                &pool::QueryMsg::ReverseSimulation {
                    offer_asset_info: None,
                    ask_asset: pool::AssetInfo::cw20(self.token.clone()).with(acn - got),
                },
            )?;
            let offer = r.offer_amount.u128() + r.offer_amount.u128() / 1_000 + 1;
            let (_, usd_reserve) = self.reserves(c)?;
            let offer = offer.min(usd_reserve * MAX_TRADE_POOL_BPS / 10_000);
            self.mint_usd(c, &buyer.addr, offer)?;
            let (paid, _) = self.buy(c, buyer, offer)?;
            spent += paid;
        }
        bail!(
            "{} could not buy {acn} ACN base units on the pool in 64 swaps",
            buyer.name
        )
    }

    /// Anyone records an oracle observation (the keeper, before the day's trades, so the
    /// buybacks after them have a TWAP window to read).
    pub fn observe<C: SimChain + ?Sized>(&self, c: &C, keeper: &Actor) -> Result<()> {
        c.execute(&keeper.name, &self.oracle, &oracle::ExecuteMsg::Update {})
            .context("oracle Update")?;
        Ok(())
    }

    /// The vault's state.
    pub fn vault_state<C: SimChain + ?Sized>(&self, c: &C) -> Result<buyback::StateResponse> {
        Ok(c.query(&self.vault, &buyback::QueryMsg::State {})?)
    }

    /// The oracle's TWAP window, seconds.
    pub fn twap_window<C: SimChain + ?Sized>(&self, c: &C) -> Result<u64> {
        let o: oracle::ConfigResponse = c.query(&self.oracle, &oracle::QueryMsg::Config {})?;
        Ok(o.params.window)
    }

    /// The keeper calls `Buyback {}` while the vault has stable to spend and today's cap is not
    /// reached: each buy `min_interval` after the last; a buy refused (its price off the TWAP
    /// after the day's earlier buys moved the pool) is retried once after a TWAP window, when
    /// the pool has been idle long enough for the oracle to serve its spot. Any other refusal,
    /// or a second refusal in a row, stops the run with the vault's error.
    pub fn buybacks<C: SimChain + ?Sized>(&self, c: &C, keeper: &Actor) -> Result<BuybackDay> {
        let cfg: buyback::ConfigResponse = c.query(&self.vault, &buyback::QueryMsg::Config {})?;
        let (interval, window) = (cfg.params.min_interval, self.twap_window(c)?);
        let mut day = BuybackDay::default();
        let start = self.vault_state(c)?.totals;
        let mut refused_last = false;
        for _ in 0..MAX_BUYBACK_CALLS {
            let st = self.vault_state(c)?;
            if st.stable_balance.u128() < MIN_BUY || st.spent_today >= cfg.params.daily_cap {
                break;
            }
            let now = c.block()?.time;
            if let Some(last) = st.last_buy {
                if now < last + interval {
                    c.wait_seconds(last + interval - now)?;
                }
            }
            match c.execute(&keeper.name, &self.vault, &buyback::ExecuteMsg::Buyback {}) {
                Ok(_) => refused_last = false,
                Err(e) if !refused_last => {
                    let why = format!("{e:#}");
                    if !why.contains("TWAP") {
                        bail!("the vault refused a buyback: {why}");
                    }
                    refused_last = true;
                    day.waits += 1;
                    c.wait_seconds(window)?;
                }
                Err(e) => bail!("the vault refused a buyback after an idle TWAP window: {e:#}"),
            }
        }
        let end = self.vault_state(c)?.totals;
        day.buys = (end.buys - start.buys) as u32;
        day.usd_spent = (end.stable_spent - start.stable_spent).u128();
        day.acn_bought = (end.acn_bought - start.acn_bought).u128();
        Ok(day)
    }
}
