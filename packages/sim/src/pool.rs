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

use acn_interface::{buyback, oracle, pool, token};
use acn_testing::Suite;
use anyhow::{bail, Context, Result};
use cosmwasm_std::{coins, to_json_binary, Addr, Decimal, Uint128};
use cw_multi_test::Executor;

use crate::config::TOKEN;

/// Largest share of the pool's reserve one simulated swap pays in (10 %): a trader works a
/// larger order over later days (or later swaps) instead.
pub const MAX_TRADE_POOL_BPS: u128 = 1_000;
/// Most `Buyback` attempts the keeper makes in one day.
const MAX_BUYBACK_CALLS: u32 = 64;
/// Smallest stable balance (base units) worth a buy: 1 USD.
const MIN_BUY: u128 = TOKEN;

/// The pool, its oracle and the vault, and the USD minted into the simulation.
#[derive(Clone, Debug)]
pub struct Pool {
    /// The ACN / stable pair.
    pub pair: Addr,
    /// The TWAP oracle.
    pub oracle: Addr,
    /// The buyback vault (the market's fee recipient).
    pub vault: Addr,
    /// The stable bank denom.
    pub denom: String,
    /// Stable base units that exist in the simulation: the deployer's seed plus everything
    /// minted since.
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
    /// The deployed pool, oracle and vault of `suite` (the genesis must seed them).
    pub fn of(suite: &Suite, denom: &str, usd_seed: u128) -> Result<Self> {
        Ok(Pool {
            pair: suite.pool.clone().context("the genesis deploys the pool")?,
            oracle: suite
                .oracle
                .clone()
                .context("the genesis deploys the oracle")?,
            vault: suite
                .buyback
                .clone()
                .context("the genesis deploys the vault")?,
            denom: denom.to_string(),
            usd_supply: usd_seed,
        })
    }

    /// Mint `amount` stable base units to `to`: money from outside the system.
    pub fn mint_usd(&mut self, s: &mut Suite, to: &Addr, amount: u128) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        s.app
            .sudo(cw_multi_test::SudoMsg::Bank(
                cw_multi_test::BankSudo::Mint {
                    to_address: to.to_string(),
                    amount: coins(amount, &self.denom),
                },
            ))
            .context("minting the stable")?;
        self.usd_supply += amount;
        Ok(())
    }

    /// Stable base units held by `addr`.
    pub fn usd_balance(&self, s: &Suite, addr: &Addr) -> u128 {
        s.app
            .wrap()
            .query_balance(addr, &self.denom)
            .map(|c| c.amount.u128())
            .unwrap_or_default()
    }

    /// The pool's reserves: (ACN, stable), base units.
    pub fn reserves(&self, s: &Suite) -> (u128, u128) {
        let r: pool::PoolResponse = s.query(&self.pair, &pool::QueryMsg::Pool {});
        let mut acn = 0;
        let mut usd = 0;
        for a in r.assets {
            if a.info.is_native() {
                usd = a.amount.u128();
            } else {
                acn = a.amount.u128();
            }
        }
        (acn, usd)
    }

    /// The pool's spot price, USD per ACN.
    pub fn spot(&self, s: &Suite) -> f64 {
        let (acn, usd) = self.reserves(s);
        if acn == 0 {
            0.0
        } else {
            usd as f64 / acn as f64
        }
    }

    /// Sell up to `amount` ACN base units from `seller` (at most [`MAX_TRADE_POOL_BPS`] of the
    /// pool's ACN reserve); returns the ACN sold and the stable received.
    pub fn sell(&self, s: &mut Suite, seller: &Addr, amount: u128) -> Result<(u128, u128)> {
        let (acn_reserve, _) = self.reserves(s);
        let amount = amount.min(acn_reserve * MAX_TRADE_POOL_BPS / 10_000);
        if amount == 0 {
            return Ok((0, 0));
        }
        let before = self.usd_balance(s, seller);
        let hook = pool::Cw20HookMsg::Swap {
            ask_asset_info: None,
            belief_price: None,
            max_spread: Some(Decimal::percent(50)),
            to: None,
        };
        let send = token::ExecuteMsg::Send {
            contract: self.pair.to_string(),
            amount: Uint128::new(amount),
            msg: to_json_binary(&hook)?,
        };
        let token_addr = s.token.clone();
        s.execute(seller, &token_addr, &send)
            .with_context(|| format!("{seller} sells {amount} ACN base units on the pool"))?;
        Ok((amount, self.usd_balance(s, seller) - before))
    }

    /// Buy ACN for up to `usd` stable base units held by `buyer` (at most
    /// [`MAX_TRADE_POOL_BPS`] of the pool's stable reserve); returns the stable spent and the
    /// ACN received.
    pub fn buy(&self, s: &mut Suite, buyer: &Addr, usd: u128) -> Result<(u128, u128)> {
        let (_, usd_reserve) = self.reserves(s);
        let usd = usd.min(usd_reserve * MAX_TRADE_POOL_BPS / 10_000);
        if usd == 0 {
            return Ok((0, 0));
        }
        let before = s.balance(buyer.clone());
        let swap = pool::ExecuteMsg::Swap {
            offer_asset: pool::AssetInfo::native(&self.denom).with(usd),
            ask_asset_info: None,
            belief_price: None,
            max_spread: Some(Decimal::percent(50)),
            to: None,
        };
        s.app
            .execute_contract(
                buyer.clone(),
                self.pair.clone(),
                &swap,
                &coins(usd, &self.denom),
            )
            .with_context(|| format!("{buyer} buys ACN for {usd} stable base units"))?;
        Ok((usd, s.balance(buyer.clone()) - before))
    }

    /// Buy exactly `acn` ACN base units for `buyer` with stable minted to it (a fleet buying its
    /// stake): the amount the pool asks, plus a margin, is minted; what is left stays with the
    /// buyer. Returns the stable spent.
    pub fn buy_exact(&mut self, s: &mut Suite, buyer: &Addr, acn: u128) -> Result<u128> {
        let before_acn = s.balance(buyer.clone());
        let mut spent = 0;
        // In swaps of at most MAX_TRADE_POOL_BPS of the stable reserve until it holds enough.
        for _ in 0..64 {
            let got = s.balance(buyer.clone()) - before_acn;
            if got >= acn {
                return Ok(spent);
            }
            let r: pool::ReverseSimulationResponse = s.query(
                &self.pair,
                &pool::QueryMsg::ReverseSimulation {
                    offer_asset_info: None,
                    ask_asset: pool::AssetInfo::cw20(s.token.to_string()).with(acn - got),
                },
            );
            let offer = r.offer_amount.u128() + r.offer_amount.u128() / 1_000 + 1;
            let (_, usd_reserve) = self.reserves(s);
            let offer = offer.min(usd_reserve * MAX_TRADE_POOL_BPS / 10_000);
            self.mint_usd(s, buyer, offer)?;
            let (paid, _) = self.buy(s, buyer, offer)?;
            spent += paid;
        }
        bail!("{buyer} could not buy {acn} ACN base units on the pool in 64 swaps")
    }

    /// Anyone records an oracle observation (the keeper, before the day's trades, so the
    /// buybacks after them have a TWAP window to read).
    pub fn observe(&self, s: &mut Suite, keeper: &Addr) -> Result<()> {
        let oracle_addr = self.oracle.clone();
        s.execute(keeper, &oracle_addr, &oracle::ExecuteMsg::Update {})
            .context("oracle Update")?;
        Ok(())
    }

    /// The vault's state.
    pub fn vault_state(&self, s: &Suite) -> buyback::StateResponse {
        s.query(&self.vault, &buyback::QueryMsg::State {})
    }

    /// The keeper calls `Buyback {}` while the vault has stable to spend and today's cap is not
    /// reached: each buy `min_interval` after the last; a buy refused (its price off the TWAP
    /// after the day's earlier buys moved the pool) is retried once after a TWAP window, when
    /// the pool has been idle long enough for the oracle to serve its spot. Any other refusal,
    /// or a second refusal in a row, stops the run with the vault's error.
    pub fn buybacks(&self, s: &mut Suite, keeper: &Addr) -> Result<BuybackDay> {
        let cfg: buyback::ConfigResponse = s.query(&self.vault, &buyback::QueryMsg::Config {});
        let o: oracle::ConfigResponse = s.query(&self.oracle, &oracle::QueryMsg::Config {});
        let (interval, window) = (cfg.params.min_interval, o.params.window);
        let mut day = BuybackDay::default();
        let start = self.vault_state(s).totals;
        let mut refused_last = false;
        for _ in 0..MAX_BUYBACK_CALLS {
            let st = self.vault_state(s);
            if st.stable_balance.u128() < MIN_BUY || st.spent_today >= cfg.params.daily_cap {
                break;
            }
            let now = s.block().time.seconds();
            if let Some(last) = st.last_buy {
                if now < last + interval {
                    s.advance_time(last + interval - now);
                }
            }
            let vault = self.vault.clone();
            match s.execute(keeper, &vault, &buyback::ExecuteMsg::Buyback {}) {
                Ok(_) => refused_last = false,
                Err(e) if !refused_last => {
                    let why = format!("{e:#}");
                    if !why.contains("TWAP") {
                        bail!("the vault refused a buyback: {why}");
                    }
                    refused_last = true;
                    day.waits += 1;
                    s.advance_time(window);
                }
                Err(e) => bail!("the vault refused a buyback after an idle TWAP window: {e:#}"),
            }
        }
        let end = self.vault_state(s).totals;
        day.buys = (end.buys - start.buys) as u32;
        day.usd_spent = (end.stable_spent - start.stable_spent).u128();
        day.acn_bought = (end.acn_bought - start.acn_bought).u128();
        Ok(day)
    }
}
