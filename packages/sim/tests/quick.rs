use acn_sim::config::{Genesis, Scenario};
use acn_sim::engine::simulate;

#[test]
fn timing_probe() {
    let g = Genesis::load(None).unwrap();
    let s = Scenario::load(&std::env::var("SC").unwrap_or("base".into()), None).unwrap();
    let days: u64 = std::env::var("DAYS")
        .map(|d| d.parse().unwrap())
        .unwrap_or(60);
    let out = simulate(&g, s, days, |d| {
        if d.day % 91 == 0 {
            eprintln!("{} prov {} price {:.3} inc {:.0} burn {:.0} emit {:.0} apr {:.2} bonded {:.0}M circ {:.0}M", d.day, d.providers, d.unit_price, d.income_per_gpu_day, d.burned_day, d.emitted_day, d.staking_apr_pct, d.bonded/1e6, d.circulating/1e6);
        }
    })
    .unwrap();
    let dir = std::path::PathBuf::from(std::env::var("OUT").unwrap_or("/tmp/acn-sim-probe".into()));
    acn_sim::report::write_outputs(&out, &dir).unwrap();
    eprintln!("{}", acn_sim::report::summary(&out));
}
