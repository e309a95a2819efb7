//! Outputs of a run: the daily CSV, the plots (SVG and PNG, with plotters) and the printed
//! summary.
//!
//! Text in the plots is laid out with a TrueType font loaded at run time (plotters' `ab_glyph`
//! feature): `$ACN_FONT`, or DejaVu Sans from the usual system paths (Debian/Ubuntu package
//! `fonts-dejavu-core`, installed by `scripts/simulate.sh` when missing).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{anyhow, bail, Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::engine::{DayRecord, Outcome};

/// Where DejaVu Sans lives on common systems.
pub const FONT_PATHS: [&str; 4] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
];

static FONT: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();

/// Register the plots' font once (from `$ACN_FONT` or a system DejaVu Sans).
pub fn ensure_font() -> Result<PathBuf> {
    FONT.get_or_init(|| {
        let candidates: Vec<PathBuf> = std::env::var_os("ACN_FONT")
            .map(PathBuf::from)
            .into_iter()
            .chain(FONT_PATHS.iter().map(PathBuf::from))
            .collect();
        let Some(path) = candidates.iter().find(|p| p.is_file()) else {
            return Err(format!(
                "no TrueType font for the plots: install fonts-dejavu-core (apt-get install fonts-dejavu-core, \
                 or run scripts/simulate.sh, which does) or set ACN_FONT to a .ttf file; looked at {candidates:?}"
            ));
        };
        let bytes = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
            .map_err(|_| format!("{} is not a usable TrueType font", path.display()))?;
        Ok(path.clone())
    })
    .clone()
    .map_err(|e| anyhow!(e))
}

/// The CSV header (one column per `DayRecord` field, units in the names).
pub const CSV_HEADER: &str = "day,demand_gpu_days,served_gpu_days,providers,gpus,unit_price_usd_per_unit,jobs,job_volume_usd,burned_acn,emitted_acn,burned_total_acn,emitted_total_acn,supply_acn,circulating_acn,bonded_acn,treasury_acn,vesting_locked_acn,provider_income_usd_per_gpu_day,emission_income_usd_per_gpu_day,token_usd,staking_apr_pct,wash_fee_usd,wash_expected_usd,wash_profit_usd,unlocked_acn,treasury_income_acn,grants_acn,pool_acn,pool_usd,buyback_usd,buyback_acn,buybacks,vault_usd,sold_acn,outside_buy_usd,sell_backlog_acn";

/// The daily figures as CSV text.
pub fn csv(days: &[DayRecord]) -> String {
    let mut out = String::with_capacity(300 * (days.len() + 1));
    out.push_str(CSV_HEADER);
    out.push('\n');
    for d in days {
        let _ = writeln!(
            out,
            "{},{:.1},{:.1},{},{},{:.6},{},{:.2},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.3},{:.3},{:.6},{:.4},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.2},{:.2},{:.6},{},{:.2},{:.6},{:.2},{:.6}",
            d.day,
            d.demand_gpu_days,
            d.served_gpu_days,
            d.providers,
            d.gpus,
            d.unit_price,
            d.jobs,
            d.job_volume,
            d.burned_day,
            d.emitted_day,
            d.burned_total,
            d.emitted_total,
            d.supply,
            d.circulating,
            d.bonded,
            d.treasury_balance,
            d.vesting_locked,
            d.income_per_gpu_day,
            d.emission_income_per_gpu_day,
            d.token_usd,
            d.staking_apr_pct,
            d.wash_fee,
            d.wash_expected,
            d.wash_profit,
            d.unlocked_day,
            d.treasury_income_day,
            d.grants_day,
            d.pool_acn,
            d.pool_usd,
            d.buyback_usd,
            d.buyback_acn,
            d.buybacks,
            d.vault_usd,
            d.sold_acn,
            d.outside_buy_usd,
            d.sell_backlog_acn
        );
    }
    out
}

/// One line of a chart.
struct Series {
    label: &'static str,
    color: RGBColor,
    points: Vec<(f64, f64)>,
}

/// One chart.
struct Chart {
    file: &'static str,
    title: String,
    y_desc: &'static str,
    series: Vec<Series>,
    note: Option<String>,
}

fn years(d: &DayRecord) -> f64 {
    d.day as f64 / 365.0
}

/// Trailing 7-day average of `f`.
fn avg7(days: &[DayRecord], f: impl Fn(&DayRecord) -> f64) -> Vec<(f64, f64)> {
    (0..days.len())
        .map(|i| {
            let lo = i.saturating_sub(6);
            let w = &days[lo..=i];
            (
                years(&days[i]),
                w.iter().map(&f).sum::<f64>() / w.len() as f64,
            )
        })
        .collect()
}

fn line(days: &[DayRecord], f: impl Fn(&DayRecord) -> f64) -> Vec<(f64, f64)> {
    days.iter().map(|d| (years(d), f(d))).collect()
}

const BLUE_: RGBColor = RGBColor(31, 119, 180);
const ORANGE_: RGBColor = RGBColor(255, 127, 14);
const GREEN_: RGBColor = RGBColor(44, 160, 44);
const RED_: RGBColor = RGBColor(214, 39, 40);
const PURPLE_: RGBColor = RGBColor(148, 103, 189);
const GREY_: RGBColor = RGBColor(110, 110, 110);

/// Trailing average of `f` over `window` days, per day.
fn trailing(days: &[DayRecord], window: usize, f: impl Fn(&DayRecord) -> f64) -> Vec<(f64, f64)> {
    (0..days.len())
        .map(|i| {
            let from = (i + 1).saturating_sub(window);
            let w = &days[from..=i];
            (
                years(&days[i]),
                w.iter().map(&f).sum::<f64>() / w.len() as f64,
            )
        })
        .collect()
}

/// Change of `f` over the trailing year (or since day 1 in the first year), in % per year.
fn yearly_change(days: &[DayRecord], f: impl Fn(&DayRecord) -> f64) -> Vec<(f64, f64)> {
    (0..days.len())
        .map(|i| {
            let from = i.saturating_sub(364);
            let (a, b) = (f(&days[from]), f(&days[i]));
            let span = (i - from).max(1) as f64 / 365.0;
            let pct = if a > 0.0 {
                (b / a - 1.0) / span * 100.0
            } else {
                0.0
            };
            (years(&days[i]), pct)
        })
        .collect()
}

/// The price path in one line: day 0, 30, 365 and the last day.
fn price_note(outcome: &Outcome) -> String {
    price_path(outcome)
        .iter()
        .map(|(day, p)| format!("day {day}: ${p:.4}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The pool's price on day 0, 30, 365, 1 825 and the last day (those the run reached).
pub fn price_path(outcome: &Outcome) -> Vec<(u64, f64)> {
    let mut path = vec![(0, outcome.initial_token_usd)];
    let last = outcome.days.last().map(|d| d.day).unwrap_or(0);
    for day in [30, 365, 1_825, last] {
        if day > 0 && path.iter().all(|(d, _)| *d != day) {
            if let Some(r) = outcome.days.iter().find(|r| r.day == day) {
                path.push((day, r.token_usd));
            }
        }
    }
    path
}

fn charts(outcome: &Outcome) -> Vec<Chart> {
    let d = &outcome.days;
    let m = 1e6;
    let crossing_note = match &outcome.crossing {
        Some(c) => format!(
            "burn > emission from day {} (year {:.1})",
            c.day,
            c.day as f64 / 365.0
        ),
        None => "burn never exceeded emission".to_string(),
    };
    vec![
        Chart {
            file: "supply",
            title: format!("Supply — {} scenario", outcome.scenario),
            y_desc: "million ACN",
            series: vec![
                Series {
                    label: "circulating (liquid, outside contracts and the pool)",
                    color: BLUE_,
                    points: line(d, |r| r.circulating / m),
                },
                Series {
                    label: "bonded",
                    color: GREEN_,
                    points: line(d, |r| r.bonded / m),
                },
                Series {
                    label: "burned (cumulative)",
                    color: RED_,
                    points: line(d, |r| r.burned_total / m),
                },
                Series {
                    label: "emitted (cumulative)",
                    color: ORANGE_,
                    points: line(d, |r| r.emitted_total / m),
                },
            ],
            note: None,
        },
        Chart {
            file: "treasury",
            title: "Treasury balance".into(),
            y_desc: "million ACN",
            series: vec![
                Series {
                    label: "treasury balance",
                    color: PURPLE_,
                    points: line(d, |r| r.treasury_balance / m),
                },
                Series {
                    label: "of which vesting still locked",
                    color: GREY_,
                    points: line(d, |r| r.vesting_locked / m),
                },
            ],
            note: None,
        },
        Chart {
            file: "provider_income",
            title: "Provider income per GPU-day in USD: jobs and emissions (7-day)".into(),
            y_desc: "USD per GPU-day",
            series: vec![
                Series {
                    label: "income (USD jobs + emissions at the pool's price)",
                    color: BLUE_,
                    points: line(d, |r| r.income_per_gpu_day),
                },
                Series {
                    label: "of which emissions",
                    color: GREEN_,
                    points: avg7(d, |r| r.emission_income_per_gpu_day),
                },
                Series {
                    label: "cost per GPU-day",
                    color: RED_,
                    points: line(d, |_| outcome.cost_usd_per_gpu_day),
                },
            ],
            note: None,
        },
        Chart {
            file: "inflation",
            title: "Net inflation (change over the trailing year)".into(),
            y_desc: "% per year",
            series: vec![
                Series {
                    label: "total supply",
                    color: BLUE_,
                    points: yearly_change(d, |r| r.supply),
                },
                Series {
                    label: "circulating supply",
                    color: ORANGE_,
                    points: yearly_change(d, |r| r.circulating),
                },
            ],
            note: None,
        },
        Chart {
            file: "flows",
            title: "Vesting unlocks, emissions and burn (30-day averages)".into(),
            y_desc: "thousand ACN per day",
            series: vec![
                Series {
                    label: "vesting unlocked",
                    color: PURPLE_,
                    points: trailing(d, 30, |r| r.unlocked_day / 1e3),
                },
                Series {
                    label: "emitted",
                    color: GREEN_,
                    points: trailing(d, 30, |r| r.emitted_day / 1e3),
                },
                Series {
                    label: "burned",
                    color: RED_,
                    points: trailing(d, 30, |r| r.burned_day / 1e3),
                },
            ],
            note: None,
        },
        Chart {
            file: "treasury_flows",
            title: "Treasury income (kept fees) against grants (30-day averages)".into(),
            y_desc: "thousand ACN per day",
            series: vec![
                Series {
                    label: "income",
                    color: BLUE_,
                    points: trailing(d, 30, |r| r.treasury_income_day / 1e3),
                },
                Series {
                    label: "grants",
                    color: ORANGE_,
                    points: trailing(d, 30, |r| r.grants_day / 1e3),
                },
            ],
            note: None,
        },
        Chart {
            file: "unit_price",
            title: "Unit price (1 compute unit = 1 GPU-minute)".into(),
            y_desc: "USD per compute unit",
            series: vec![Series {
                label: "unit price",
                color: BLUE_,
                points: line(d, |r| r.unit_price),
            }],
            note: None,
        },
        Chart {
            file: "token_price",
            title: format!(
                "ACN price on the pool — {} scenario (buybacks and trades move it)",
                outcome.scenario
            ),
            y_desc: "USD per ACN",
            series: vec![Series {
                label: "pool price (end of day)",
                color: BLUE_,
                points: std::iter::once((0.0, outcome.initial_token_usd))
                    .chain(line(d, |r| r.token_usd))
                    .collect(),
            }],
            note: Some(price_note(outcome)),
        },
        Chart {
            file: "pool_flows",
            title: "USD into ACN on the pool: buybacks and outside buyers; USD out: sellers (30-day averages)".into(),
            y_desc: "thousand USD per day",
            series: vec![
                Series {
                    label: "buybacks (vault)",
                    color: RED_,
                    points: trailing(d, 30, |r| r.buyback_usd / 1e3),
                },
                Series {
                    label: "outside buyers",
                    color: GREEN_,
                    points: trailing(d, 30, |r| r.outside_buy_usd / 1e3),
                },
                Series {
                    label: "sold by vesting, providers, grantees (at the day's price)",
                    color: PURPLE_,
                    points: trailing(d, 30, |r| r.sold_acn * r.token_usd / 1e3),
                },
            ],
            note: None,
        },
        Chart {
            file: "staking_yield",
            title: "Staking yield (reward rounds, trailing 30 days) and bonded share of supply"
                .into(),
            y_desc: "% per year / % of supply",
            series: vec![
                Series {
                    label: "staking APR",
                    color: GREEN_,
                    points: line(d, |r| r.staking_apr_pct),
                },
                Series {
                    label: "bonded share of supply",
                    color: BLUE_,
                    points: line(d, |r| {
                        if r.supply > 0.0 {
                            r.bonded / r.supply * 100.0
                        } else {
                            0.0
                        }
                    }),
                },
            ],
            note: None,
        },
        Chart {
            file: "burn_vs_emission",
            title: "Daily burn vs emission (7-day averages)".into(),
            y_desc: "thousand ACN per day",
            series: vec![
                Series {
                    label: "burned per day",
                    color: RED_,
                    points: avg7(d, |r| r.burned_day / 1e3),
                },
                Series {
                    label: "emitted per day",
                    color: ORANGE_,
                    points: avg7(d, |r| r.emitted_day / 1e3),
                },
            ],
            note: Some(crossing_note),
        },
    ]
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    scale: f64,
    line_width: u32,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("drawing {}: {e:?}", chart.file);
    let px = |v: f64| (v * scale).round() as u32;
    let x_max = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold(0.0f64, f64::max)
        .max(1.0 / 365.0);
    let y_max = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let y_max = if y_max > 0.0 { y_max * 1.12 } else { 1.0 };
    let mut c = ChartBuilder::on(area)
        .caption(&chart.title, ("sans-serif", px(22.0)))
        .margin(px(12.0))
        .x_label_area_size(px(44.0))
        .y_label_area_size(px(78.0))
        .build_cartesian_2d(0f64..x_max, 0f64..y_max)
        .map_err(err)?;
    c.configure_mesh()
        .x_desc("years since genesis")
        .y_desc(chart.y_desc)
        .label_style(("sans-serif", px(14.0)))
        .axis_desc_style(("sans-serif", px(16.0)))
        .y_label_formatter(&|v| {
            if v.abs() >= 100.0 {
                format!("{v:.0}")
            } else if v.abs() >= 1.0 {
                format!("{v:.1}")
            } else {
                format!("{v:.2}")
            }
        })
        .x_label_formatter(&|v| {
            if x_max < 2.0 {
                format!("{v:.2}")
            } else {
                format!("{v:.1}")
            }
        })
        .draw()
        .map_err(err)?;
    for s in &chart.series {
        let color = s.color;
        c.draw_series(LineSeries::new(
            s.points.iter().copied(),
            color.stroke_width(line_width),
        ))
        .map_err(err)?
        .label(s.label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3)));
    }
    c.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", px(14.0)))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    if let Some(note) = &chart.note {
        let (w, h) = area.dim_in_pixel();
        area.draw(&Text::new(
            note.clone(),
            ((w as f64 * 0.45) as i32, (h as f64 * 0.14) as i32),
            ("sans-serif", px(15.0)).into_font().color(&BLACK),
        ))
        .map_err(err)?;
    }
    Ok(())
}

fn render<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    charts: &[&Chart],
    scale: f64,
    line_width: u32,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)
        .map_err(|e| anyhow!("filling the background: {e:?}"))?;
    let areas = if charts.len() == 1 {
        vec![root.clone()]
    } else {
        root.split_evenly((charts.len().div_ceil(2), 2))
    };
    for (area, chart) in areas.iter().zip(charts) {
        draw(area, chart, scale, line_width)?;
    }
    root.present()
        .map_err(|e| anyhow!("writing the plot: {e:?}"))?;
    Ok(())
}

/// Line width of the series in SVG.
const SVG_LINE: u32 = 2;
/// Line width of the series in PNG: plotters' bitmap backend draws spikes for thick,
/// near-vertical segments (sharp daily drops), so PNG lines are one pixel.
const PNG_LINE: u32 = 1;

/// Write every chart as `<name>.svg` and `<name>.png`, plus `dashboard.svg/.png` with all of them,
/// into `dir`. Returns the written paths.
pub fn plots(outcome: &Outcome, dir: &Path) -> Result<Vec<PathBuf>> {
    if outcome.days.is_empty() {
        bail!("nothing to plot: the run has no days");
    }
    ensure_font()?;
    let charts = charts(outcome);
    let mut written = vec![];
    for chart in &charts {
        let svg = dir.join(format!("{}.svg", chart.file));
        let area = SVGBackend::new(&svg, (1000, 600)).into_drawing_area();
        render(area, &[chart], 1.0, SVG_LINE)?;
        let png = dir.join(format!("{}.png", chart.file));
        let area = BitMapBackend::new(&png, (1000, 600)).into_drawing_area();
        render(area, &[chart], 1.0, PNG_LINE)?;
        written.extend([svg, png]);
    }
    let all: Vec<&Chart> = charts.iter().collect();
    let svg = dir.join("dashboard.svg");
    render(
        SVGBackend::new(&svg, (1800, 3240)).into_drawing_area(),
        &all,
        1.0,
        SVG_LINE,
    )?;
    let png = dir.join("dashboard.png");
    render(
        BitMapBackend::new(&png, (1800, 3240)).into_drawing_area(),
        &all,
        1.0,
        PNG_LINE,
    )?;
    written.extend([svg, png]);
    Ok(written)
}

/// Write `daily.csv` and the plots into `dir` (created if missing). Returns the written paths.
pub fn write_outputs(outcome: &Outcome, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let csv_path = dir.join("daily.csv");
    std::fs::write(&csv_path, csv(&outcome.days))
        .with_context(|| format!("writing {}", csv_path.display()))?;
    let mut written = vec![csv_path];
    written.extend(plots(outcome, dir)?);
    Ok(written)
}

fn mtok(v: f64) -> String {
    format!("{:.1} M", v / 1e6)
}

/// The printed summary of a run.
pub fn summary(outcome: &Outcome) -> String {
    let mut s = String::new();
    let days = outcome.days.len();
    let _ = writeln!(
        s,
        "scenario {}: {} days ({:.1} years), {} transactions on the {} chain (a day = {} s of chain time), {:.1} s wall time, conservation (supply + burned == genesis, balances == supply) checked on {} days",
        outcome.scenario,
        days,
        days as f64 / 365.0,
        outcome.transactions,
        outcome.chain,
        outcome.day_seconds,
        outcome.wall.as_secs_f64(),
        outcome.conservation_checks
    );
    if let Some(last) = outcome.days.last() {
        let _ = writeln!(
            s,
            "  day {}: supply {} ACN, circulating {}, bonded {}, burned {}, emitted {}, treasury {} ({} still vesting)",
            last.day,
            mtok(last.supply),
            mtok(last.circulating),
            mtok(last.bonded),
            mtok(last.burned_total),
            mtok(last.emitted_total),
            mtok(last.treasury_balance),
            mtok(last.vesting_locked)
        );
        let _ = writeln!(
            s,
            "  day {}: demand {:.0} GPU-days/day, served {:.0}, {} providers ({} GPUs), unit price ${:.4}/unit, provider income ${:.2}/GPU-day (cost ${:.2}), token ${:.4} (pool {} ACN / {} USD), staking APR {:.2} %",
            last.day,
            last.demand_gpu_days,
            last.served_gpu_days,
            last.providers,
            last.gpus,
            last.unit_price,
            last.income_per_gpu_day,
            outcome.cost_usd_per_gpu_day,
            last.token_usd,
            mtok(last.pool_acn),
            mtok(last.pool_usd),
            last.staking_apr_pct
        );
        let sum = |f: fn(&DayRecord) -> f64| outcome.days.iter().map(f).sum::<f64>();
        let _ = writeln!(
            s,
            "  the market for ACN: buyback vault spent ${} on {} ACN in {:.0} buys (${} still in the vault, above its daily cap); outside buyers spent ${}; sellers sold {} ACN ({} still to sell); ${} minted into the run in all",
            mtok(sum(|d| d.buyback_usd)),
            mtok(sum(|d| d.buyback_acn)),
            sum(|d| d.buybacks as f64),
            mtok(last.vault_usd),
            mtok(sum(|d| d.outside_buy_usd)),
            mtok(sum(|d| d.sold_acn)),
            mtok(last.sell_backlog_acn),
            mtok(outcome.usd_minted)
        );
        let _ = writeln!(s, "  token price on the pool (USD per ACN):");
        let _ = writeln!(
            s,
            "    {:>6} | {:>9} | {:>12} | {:>10} | {:>9}",
            "day", "price", "supply", "burned", "staking"
        );
        for (day, price) in price_path(outcome) {
            match outcome.days.iter().find(|r| r.day == day) {
                Some(r) => {
                    let _ = writeln!(
                        s,
                        "    {:>6} | {:>9.4} | {:>12} | {:>10} | {:>7.2} %",
                        day,
                        price,
                        mtok(r.supply),
                        mtok(r.burned_total),
                        r.staking_apr_pct
                    );
                }
                None => {
                    let _ = writeln!(
                        s,
                        "    {:>6} | {:>9.4} | {:>12} | {:>10} | {:>9}",
                        day, price, "genesis", "0.0 M", "—"
                    );
                }
            }
        }
    }
    let year_avg = |year: usize, f: fn(&DayRecord) -> f64| {
        let from = (year - 1) * 365;
        let days_in = outcome.days.iter().skip(from).take(365);
        let n = days_in.clone().count();
        (n > 0).then(|| days_in.map(f).sum::<f64>() / n as f64)
    };
    let years = days.div_ceil(365).max(1);
    let mut yields = vec![];
    for y in 1..=years {
        if let Some(v) = year_avg(y, |d| d.staking_apr_pct) {
            let bonded = year_avg(y, |d| d.bonded / d.supply.max(1.0) * 100.0).unwrap_or(0.0);
            yields.push(format!("year {y} {v:.2} % ({bonded:.0} % bonded)"));
        }
    }
    let _ = writeln!(s, "  staking yield (average): {}", yields.join(", "));
    let wash_fees: f64 = outcome.days.iter().map(|d| d.wash_fee).sum();
    let wash_profit: f64 = outcome.days.iter().map(|d| d.wash_profit).sum();
    let best_day = outcome
        .days
        .iter()
        .map(|d| d.wash_profit)
        .fold(f64::NEG_INFINITY, f64::max);
    let _ = writeln!(
        s,
        "  wash trader (its best-sized self-dealing every day, paying in USD): paid ${wash_fees:.0} of fees, net profit ${wash_profit:.0} ({:.1} % of its fees), best day ${best_day:.2}",
        if wash_fees > 0.0 {
            wash_profit / wash_fees * 100.0
        } else {
            0.0
        }
    );
    match &outcome.crossing {
        Some(c) => {
            let _ = writeln!(
                s,
                "  daily burn first exceeds daily emission (7-day averages) on day {} (year {:.2}): {:.0} GPU-days/day = {:.1} M compute units/day, buyers paying ${:.0}/day; burn {:.0} ACN/day vs emission {:.0} ACN/day",
                c.day,
                c.day as f64 / 365.0,
                c.served_gpu_days,
                c.units_per_day / 1e6,
                c.job_volume,
                c.burned_per_day,
                c.emitted_per_day
            );
        }
        None => {
            let tail = &outcome.days[days.saturating_sub(7)..];
            let n = tail.len().max(1) as f64;
            let burn = tail.iter().map(|d| d.burned_day).sum::<f64>() / n;
            let emit = tail.iter().map(|d| d.emitted_day).sum::<f64>() / n;
            let served = tail.iter().map(|d| d.served_gpu_days).sum::<f64>() / n;
            let _ = writeln!(
                s,
                "  daily burn never exceeded daily emission: last 7 days burn {burn:.0} ACN/day vs emission {emit:.0} ACN/day at {served:.0} GPU-days/day"
            );
        }
    }
    s
}
