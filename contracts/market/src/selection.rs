//! Slot assignment: who serves a job is drawn at submission, never claimed.
//!
//! Each model has a weighted sum tree (a Fenwick tree over provider slot indexes, in storage)
//! whose leaves are the providers' selection weights: their bonded stake when last seen
//! eligible. A submission draws its `redundancy` providers by stake-weighted sampling without
//! replacement from a seed no single party chooses (see [`seed`]), in O(log n) storage reads per
//! draw and a bounded number of draws, so its gas does not grow with the number of providers.
//!
//! - **Without replacement**: a drawn provider's weight is masked in memory for the rest of the
//!   job's draws (the descent subtracts masked leaves from the nodes that cover them), so
//!   every draw succeeds on the first try unless the provider turns out ineligible. An
//!   attacker holding a fraction f of the eligible weight then fills all r slots with
//!   probability at most f^r, reached when it splits its stake into many small accounts.
//! - **Lazy weights**: the drawn provider's bonded stake is read (raw query). If it differs from
//!   its tree weight, the weight is corrected (0 below the minimum stake) and the draw is
//!   redone. Anyone may correct a weight at once with `RefreshProvider`.
//! - **Reputation** by rejection sampling: a drawn, eligible provider is accepted with
//!   probability (agreed + 1) / (agreed + outvoted + missed + 1); a rejected one is masked
//!   for this job, and used only if the job could not be filled otherwise (reputation lowers
//!   a provider's share, it never leaves a job unserved). The tree is never rewritten at
//!   settlement.
//! - **Eligibility** is decided in one place, [`check_eligible`]; a provider that is eligible
//!   only later (busy, cooling down, too expensive for this job, the buyer itself) is masked for
//!   this job; one that is inactive or unbonded gets weight 0.

use cosmwasm_std::{Addr, Env, QuerierWrapper, StdError, Storage, Timestamp, Uint128};
use sha2::{Digest, Sha256};

use acn_interface::market::MarketParams;

use crate::error::ContractError;
use crate::helpers::stake_of;
use crate::risk;
use crate::state::{
    Provider, ELIGIBLE_PROVIDERS, ENTROPY, PROVIDERS, SELECTION_COUNT, SELECTION_INDEX,
    SELECTION_OWNER, SELECTION_TREE,
};

/// Leaves per model tree (provider slot indexes 1..=`TREE_SIZE`); a power of two, so the tree's
/// last node holds the total weight and a descent reads exactly log2 + 1 = 17 nodes.
pub const TREE_SIZE: u32 = 1 << 16;

/// Most draws one submission makes, per slot: each failed draw masks a provider or corrects a
/// stale weight, so this bounds the gas of a submission whatever the number of providers.
pub const MAX_DRAWS_PER_SLOT: usize = 8;

/// What a job asks of the providers that serve it.
pub struct JobTerms<'a> {
    /// Model id.
    pub model_id: &'a str,
    /// Unit price the job pays.
    pub unit_price: Uint128,
    /// The buyer (never serves its own job).
    pub buyer: &'a Addr,
    /// Stake each slot of the job puts at risk (`risk::slot_at_risk`).
    pub at_risk: Uint128,
}

/// The one eligibility rule of a provider for a job: active, serves the model, accepts the unit
/// price, has at least `min_provider_stake` bonded, holds fewer than
/// `max_active_jobs_per_provider` unfinished jobs, is not cooling down after a miss, is not
/// the buyer, is not jailed and has the job's stake at risk free (`risk::can_take`). Returns the
/// error naming the first rule broken.
pub fn check_eligible(
    params: &MarketParams,
    now: Timestamp,
    job: &JobTerms,
    address: &Addr,
    provider: &Provider,
    bonded: Uint128,
) -> Result<(), ContractError> {
    if !provider.active {
        return Err(ContractError::ProviderInactive {
            address: address.to_string(),
        });
    }
    if !provider.models.iter().any(|m| m == job.model_id) {
        return Err(ContractError::ModelNotServed {
            model_id: job.model_id.to_string(),
        });
    }
    if bonded < params.min_provider_stake {
        return Err(ContractError::InsufficientStake {
            required: params.min_provider_stake,
            bonded,
        });
    }
    if address == job.buyer {
        return Err(ContractError::BuyerCannotServe {
            address: address.to_string(),
        });
    }
    if job.unit_price < provider.min_unit_price {
        return Err(ContractError::PriceBelowProviderMinimum {
            job_price: job.unit_price,
            provider_min: provider.min_unit_price,
        });
    }
    if let Some(last_miss) = provider.reputation.last_miss {
        let until = last_miss.plus_seconds(params.miss_cooldown);
        if now < until {
            return Err(ContractError::ProviderCoolingDown {
                until: until.seconds(),
            });
        }
    }
    if provider.active_jobs >= params.max_active_jobs_per_provider {
        return Err(ContractError::TooManyActiveJobs {
            max: params.max_active_jobs_per_provider,
        });
    }
    // Not jailed, and the new slot's stake at risk fits in what is bonded and not yet locked.
    risk::can_take(provider, bonded, job.at_risk, now)
}

/// The weight a provider should have in its models' trees given its bonded stake.
pub fn target_weight(params: &MarketParams, provider: &Provider, bonded: Uint128) -> Uint128 {
    if provider.active && bonded >= params.min_provider_stake {
        bonded
    } else {
        Uint128::zero()
    }
}

// ---- the tree ----------------------------------------------------------------------------

fn lowbit(i: u32) -> u32 {
    i & i.wrapping_neg()
}

fn node(storage: &dyn Storage, model_id: &str, i: u32) -> Result<Uint128, ContractError> {
    Ok(SELECTION_TREE
        .may_load(storage, (model_id, i))?
        .unwrap_or_default())
}

/// Total weight of a model's tree (its last node covers every leaf).
pub fn total_weight(storage: &dyn Storage, model_id: &str) -> Result<Uint128, ContractError> {
    node(storage, model_id, TREE_SIZE)
}

/// Add `add` and subtract `sub` at leaf `index` (17 node writes at most).
fn update_leaf(
    storage: &mut dyn Storage,
    model_id: &str,
    index: u32,
    add: Uint128,
    sub: Uint128,
) -> Result<(), ContractError> {
    if add == sub {
        return Ok(());
    }
    let mut i = index;
    while i <= TREE_SIZE && i > 0 {
        let value = node(storage, model_id, i)?
            .checked_add(add)?
            .checked_sub(sub)?;
        if value.is_zero() {
            SELECTION_TREE.remove(storage, (model_id, i));
        } else {
            SELECTION_TREE.save(storage, (model_id, i), &value)?;
        }
        i = match i.checked_add(lowbit(i)) {
            Some(next) => next,
            None => break,
        };
    }
    Ok(())
}

/// The provider's slot index in a model's tree, handing out the next one on first use.
fn index_of(storage: &mut dyn Storage, model_id: &str, addr: &Addr) -> Result<u32, ContractError> {
    if let Some(i) = SELECTION_INDEX.may_load(storage, (model_id, addr))? {
        return Ok(i);
    }
    let used = SELECTION_COUNT
        .may_load(storage, model_id)?
        .unwrap_or_default();
    if used >= TREE_SIZE {
        return Err(ContractError::SelectionFull {
            model_id: model_id.to_string(),
            max: TREE_SIZE,
        });
    }
    let i = used + 1;
    SELECTION_COUNT.save(storage, model_id, &i)?;
    SELECTION_INDEX.save(storage, (model_id, addr), &i)?;
    SELECTION_OWNER.save(storage, (model_id, i), addr)?;
    Ok(i)
}

/// Move a provider's leaves from (`old_models`, its stored weight) to (`provider.models`,
/// `weight`), keep the count of eligible providers, and store the provider. The caller passes
/// the model list the tree currently holds the provider under.
pub fn set_weight(
    storage: &mut dyn Storage,
    addr: &Addr,
    provider: &mut Provider,
    old_models: &[String],
    weight: Uint128,
) -> Result<(), ContractError> {
    let old = provider.weight;
    for m in old_models {
        if !old.is_zero() {
            let i = index_of(storage, m, addr)?;
            update_leaf(storage, m, i, Uint128::zero(), old)?;
        }
    }
    for m in &provider.models {
        if !weight.is_zero() {
            let i = index_of(storage, m, addr)?;
            update_leaf(storage, m, i, weight, Uint128::zero())?;
        }
    }
    if old.is_zero() != weight.is_zero() {
        let n = ELIGIBLE_PROVIDERS.may_load(storage)?.unwrap_or_default();
        let n = if weight.is_zero() {
            n.saturating_sub(1)
        } else {
            n.checked_add(1)
                .ok_or_else(|| StdError::generic_err("eligible provider count overflow"))?
        };
        ELIGIBLE_PROVIDERS.save(storage, &n)?;
    }
    provider.weight = weight;
    PROVIDERS.save(storage, addr, provider)?;
    Ok(())
}

/// Smallest leaf index whose prefix sum exceeds `target`, with the `masked` (index, weight)
/// leaves counted as 0. Reads one node per level.
fn descend(
    storage: &dyn Storage,
    model_id: &str,
    mut target: Uint128,
    masked: &[(u32, Uint128)],
) -> Result<u32, ContractError> {
    let mut pos = 0u32;
    let mut step = TREE_SIZE;
    while step > 0 {
        let next = pos + step;
        if next <= TREE_SIZE {
            let covered: Uint128 = masked
                .iter()
                .filter(|(i, _)| *i > pos && *i <= next)
                .map(|(_, w)| *w)
                .sum();
            let value = node(storage, model_id, next)?.saturating_sub(covered);
            if value <= target {
                target = target.checked_sub(value)?;
                pos = next;
            }
        }
        step >>= 1;
    }
    Ok(pos + 1)
}

// ---- randomness --------------------------------------------------------------------------

/// A deterministic stream of 128-bit numbers: sha256(seed ‖ counter).
pub struct Rng {
    seed: [u8; 32],
    counter: u64,
}

impl Rng {
    /// A stream from a seed.
    pub fn new(seed: [u8; 32]) -> Self {
        Rng { seed, counter: 0 }
    }

    /// A number uniform in `0..n` (`n` > 0); the modulo bias is below n / 2^128.
    pub fn below(&mut self, n: u128) -> u128 {
        let mut h = Sha256::new();
        h.update(self.seed);
        h.update(self.counter.to_be_bytes());
        self.counter += 1;
        let digest: [u8; 32] = h.finalize().into();
        let mut word = [0u8; 16];
        word.copy_from_slice(&digest[..16]);
        u128::from_be_bytes(word) % n.max(1)
    }
}

/// The selection seed of a job: sha256(entropy pool ‖ job id ‖ block height ‖ block time in
/// nanoseconds ‖ transaction index, or 2^32 − 1 outside a transaction).
///
/// Who can bias it: the pool is public between reveals, and the job id is predictable, so a
/// buyer who knew the block's height, time and its transaction's index could compute the draw
/// in advance; it cannot choose them, only retry by submitting again, and every try is a real,
/// paid job assigned to whoever the try drew. A block proposer picks the time (within
/// consensus bounds) and the order of transactions, so it can choose among the k variants it is
/// willing to try, and a proposer colluding with the attacker raises its chance of filling all
/// r slots from ≤ f^r to ≤ 1 − (1 − f^r)^k ≤ k·f^r. Providers cannot change a committed salt
/// (the commitment binds it); each may only withhold its reveal — one bit, at the price of the
/// no-show slash and the lost pay — to choose between two future pools.
pub fn seed(storage: &dyn Storage, env: &Env, job_id: u64) -> Result<[u8; 32], ContractError> {
    let pool = ENTROPY.may_load(storage)?.unwrap_or_default();
    let mut h = Sha256::new();
    h.update(pool.as_slice());
    h.update(job_id.to_be_bytes());
    h.update(env.block.height.to_be_bytes());
    h.update(env.block.time.nanos().to_be_bytes());
    let tx_index = env.transaction.as_ref().map_or(u32::MAX, |t| t.index);
    h.update(tx_index.to_be_bytes());
    Ok(h.finalize().into())
}

/// Re-hash the entropy pool with a revealed salt (secret until its reveal).
pub fn mix_entropy(
    storage: &mut dyn Storage,
    job_id: u64,
    provider: &Addr,
    salt: &[u8],
) -> Result<(), ContractError> {
    let pool = ENTROPY.may_load(storage)?.unwrap_or_default();
    let mut h = Sha256::new();
    h.update(pool.as_slice());
    h.update(job_id.to_be_bytes());
    h.update(provider.as_bytes());
    h.update(salt);
    let next: [u8; 32] = h.finalize().into();
    ENTROPY.save(storage, &next.to_vec().into())?;
    Ok(())
}

// ---- drawing -----------------------------------------------------------------------------

/// Draw `count` distinct eligible providers for a job, none of them in `exclude`,
/// stake-weighted, reputation-filtered (providers the filter turned down are used, in draw
/// order, only if the job would otherwise go unfilled).
/// Corrects the stale weights it meets (those writes stand only if the submission succeeds).
/// Fails with `NotEnoughEligibleProviders` if the tree runs out of weight or the draw budget
/// (`MAX_DRAWS_PER_SLOT` × `count`) is spent first.
#[allow(clippy::too_many_arguments)]
pub fn draw(
    storage: &mut dyn Storage,
    querier: &QuerierWrapper,
    staking: &Addr,
    params: &MarketParams,
    now: Timestamp,
    job: &JobTerms,
    count: u8,
    exclude: &[Addr],
    rng: &mut Rng,
) -> Result<Vec<Addr>, ContractError> {
    let mut picked: Vec<Addr> = vec![];
    let mut rejected: Vec<Addr> = vec![];
    let mut masked: Vec<(u32, Uint128)> = vec![];
    let budget = MAX_DRAWS_PER_SLOT.saturating_mul(count as usize);
    for _ in 0..budget {
        if picked.len() >= count as usize {
            break;
        }
        let masked_weight: Uint128 = masked.iter().map(|(_, w)| *w).sum();
        let total = total_weight(storage, job.model_id)?.saturating_sub(masked_weight);
        if total.is_zero() {
            break;
        }
        let target = Uint128::new(rng.below(total.u128()));
        let index = descend(storage, job.model_id, target, &masked)?;
        let addr = SELECTION_OWNER.load(storage, (job.model_id, index))?;
        let mut provider = PROVIDERS.load(storage, &addr)?;
        let weight = provider.weight;
        let bonded = stake_of(querier, staking, &addr)?.bonded;
        let fresh = target_weight(params, &provider, bonded);
        if fresh != weight {
            let models = provider.models.clone();
            set_weight(storage, &addr, &mut provider, &models, fresh)?;
            continue;
        }
        if exclude.contains(&addr)
            || check_eligible(params, now, job, &addr, &provider, bonded).is_err()
        {
            masked.push((index, weight));
            continue;
        }
        masked.push((index, weight));
        let rep = &provider.reputation;
        let trials = rep
            .agreed
            .saturating_add(rep.outvoted)
            .saturating_add(rep.missed)
            .saturating_add(1);
        if rng.below(trials as u128) < rep.agreed.saturating_add(1) as u128 {
            picked.push(addr);
        } else {
            rejected.push(addr);
        }
    }
    // Liveness: eligible providers the reputation filter turned down fill what is left.
    let missing = (count as usize).saturating_sub(picked.len());
    picked.extend(rejected.into_iter().take(missing));
    if picked.len() < count as usize {
        return Err(ContractError::NotEnoughEligibleProviders {
            model_id: job.model_id.to_string(),
            needed: count,
            found: picked.len() as u8,
        });
    }
    Ok(picked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;

    fn leaf_weights(storage: &dyn Storage, n: u32) -> Vec<u128> {
        // prefix(i) - prefix(i-1) by walking down the tree
        let prefix = |i: u32| -> u128 {
            let mut s = 0u128;
            let mut j = i;
            while j > 0 {
                s += node(storage, "m", j).unwrap().u128();
                j -= lowbit(j);
            }
            s
        };
        (1..=n).map(|i| prefix(i) - prefix(i - 1)).collect()
    }

    #[test]
    fn the_tree_keeps_leaf_weights_and_their_total() {
        let mut st = MockStorage::new();
        let w = [5u128, 0, 7, 1, 9, 3];
        for (k, w) in w.iter().enumerate() {
            update_leaf(
                &mut st,
                "m",
                k as u32 + 1,
                Uint128::new(*w),
                Uint128::zero(),
            )
            .unwrap();
        }
        assert_eq!(leaf_weights(&st, 6), w.to_vec());
        assert_eq!(total_weight(&st, "m").unwrap(), Uint128::new(25));
        update_leaf(&mut st, "m", 5, Uint128::zero(), Uint128::new(9)).unwrap();
        assert_eq!(leaf_weights(&st, 6), vec![5, 0, 7, 1, 0, 3]);
        assert_eq!(total_weight(&st, "m").unwrap(), Uint128::new(16));
    }

    #[test]
    fn descent_maps_every_target_to_the_leaf_that_covers_it() {
        let mut st = MockStorage::new();
        let w = [5u128, 0, 7, 1, 9, 3];
        for (k, w) in w.iter().enumerate() {
            update_leaf(
                &mut st,
                "m",
                k as u32 + 1,
                Uint128::new(*w),
                Uint128::zero(),
            )
            .unwrap();
        }
        let mut expected = vec![];
        for (k, w) in w.iter().enumerate() {
            expected.extend(std::iter::repeat_n(k as u32 + 1, *w as usize));
        }
        for (t, want) in expected.iter().enumerate() {
            assert_eq!(
                descend(&st, "m", Uint128::new(t as u128), &[]).unwrap(),
                *want
            );
        }
        // Masking leaves 3 (7) and 5 (9): targets map onto the remaining leaves 1, 4, 6.
        let masked = [(3, Uint128::new(7)), (5, Uint128::new(9))];
        let mut expected = vec![];
        for (k, w) in [(1u32, 5usize), (4, 1), (6, 3)] {
            expected.extend(std::iter::repeat_n(k, w));
        }
        for (t, want) in expected.iter().enumerate() {
            assert_eq!(
                descend(&st, "m", Uint128::new(t as u128), &masked).unwrap(),
                *want
            );
        }
    }

    /// A storage that counts reads and writes, to show the cost of a descent and an update does
    /// not depend on how many providers the tree holds.
    #[derive(Default)]
    struct Counting {
        inner: MockStorage,
        reads: std::cell::Cell<u32>,
        writes: u32,
    }

    impl Storage for Counting {
        fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
            self.reads.set(self.reads.get() + 1);
            self.inner.get(key)
        }
        fn range<'a>(
            &'a self,
            start: Option<&[u8]>,
            end: Option<&[u8]>,
            order: cosmwasm_std::Order,
        ) -> Box<dyn Iterator<Item = cosmwasm_std::Record> + 'a> {
            self.inner.range(start, end, order)
        }
        fn set(&mut self, key: &[u8], value: &[u8]) {
            self.writes += 1;
            self.inner.set(key, value)
        }
        fn remove(&mut self, key: &[u8]) {
            self.writes += 1;
            self.inner.remove(key)
        }
    }

    #[test]
    fn descent_and_update_touch_the_same_number_of_nodes_for_10_or_10_000_providers() {
        let mut costs = vec![];
        for n in [10u32, 1_000, 10_000] {
            let mut st = Counting::default();
            for i in 1..=n {
                update_leaf(&mut st, "m", i, Uint128::new(1_000), Uint128::zero()).unwrap();
            }
            st.reads.set(0);
            st.writes = 0;
            let mut rng = Rng::new([n as u8; 32]);
            let target = Uint128::new(rng.below(1_000 * n as u128));
            descend(&st, "m", target, &[]).unwrap();
            let descent_reads = st.reads.get();
            st.reads.set(0);
            update_leaf(&mut st, "m", n / 2 + 1, Uint128::new(7), Uint128::zero()).unwrap();
            costs.push((descent_reads, st.reads.get(), st.writes));
        }
        // a descent reads one node per level: log2(TREE_SIZE) + 1 = 17, whatever n is
        assert!(costs.iter().all(|c| c.0 == 17), "{costs:?}");
        // an update touches at most one node per level
        assert!(costs.iter().all(|c| c.1 <= 17 && c.2 <= 17), "{costs:?}");
    }
}
