//! Run a scenario for some years on the embedded chain and print the summary and the last
//! day's supply and price (what `acn simulate` prints, without building the CLI):
//!
//!     cargo run -p acn-sim --release --example five_years -- base 5

use acn_sim::config::{Genesis, Scenario};
use acn_sim::engine::simulate;
use acn_sim::report::summary;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).map_or("base", String::as_str);
    let years: u64 = args.get(2).map_or(Ok(5), |y| y.parse())?;
    let genesis = Genesis::load(None)?;
    let scenario = Scenario::load(name, None)?;
    let out = simulate(&genesis, scenario, years * 365, |_| {})?;
    print!("{}", summary(&out));
    let last = out.days.last().expect("at least one day");
    println!(
        "day {}: supply {:.6} ACN, burned {:.6}, emitted {:.6}, price ${:.6}, providers {}, wall {:.1}s, {} txs",
        last.day,
        last.supply,
        last.burned_total,
        last.emitted_total,
        last.token_usd,
        last.providers,
        out.wall.as_secs_f64(),
        out.transactions
    );
    Ok(())
}
