//! One part, four systems: what each ERP says about ball bearing 6204-2RS, and what
//! the normaliser makes of it — plus the two parsing mistakes that go unnoticed.

use clap::Parser;
use erp_rag::dec::Dec;
use erp_rag::engine::{Engine, FixtureEngine};
use erp_rag::record::Entity;
use kit::println;

/// Native records of one group part across the systems, and their normalised form.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Group part number (BRG-6204, HP-100, SM-200, COIL-15, CB-5, GBX-30).
    #[arg(long, default_value = "BRG-6204")]
    part: String,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let rt = erp_rag::runtime(true);
    let fixtures = FixtureEngine::open(&rt, "normalise")?;
    show(&rt, &fixtures, &args)
}

fn show(rt: &tokio::runtime::Runtime, engine: &Engine, args: &Args) -> anyhow::Result<()> {
    let part = engine
        .normaliser
        .part(&args.part)
        .ok_or_else(|| anyhow::anyhow!("unknown part {:?}", args.part))?
        .clone();
    let mut rows = Vec::new();
    let mut rows2 = Vec::new();
    for s in &engine.sources {
        let mut recs = rt.block_on(s.fetch(&[Entity::Stock]))?;
        for r in &mut recs {
            engine.normaliser.normalise(r)?;
            if r.norm.part.as_deref() != Some(part.id.as_str()) {
                continue;
            }
            let (q, u) = r.quantity.clone().unwrap_or_default();
            let m = r.amount.clone();
            rows.push(vec![
                s.config.id.clone(),
                r.local_id.clone().unwrap_or_default(),
                format!("{} {u}", q.to_trimmed()),
                m.map(|m| format!("{} {}", m.currency, m.amount.to_grouped(2)))
                    .unwrap_or_default(),
                r.provenance.as_of.to_string(),
            ]);
            let nq = r.norm.quantity.clone();
            let c = r.norm.usd.clone();
            rows2.push(vec![
                r.provenance.source.clone(),
                nq.map(|q| format!("{} {}", q.value.to_trimmed(), q.unit))
                    .unwrap_or_default(),
                c.as_ref().map(|c| c.rate.to_trimmed()).unwrap_or_default(),
                c.as_ref()
                    .map(|c| c.rate_date.to_string())
                    .unwrap_or_default(),
                c.map(|c| c.usd.to_grouped(2)).unwrap_or_default(),
            ]);
        }
    }
    println!("{} ({}) as each system records it:", part.name, part.id);
    println!(
        "{}",
        kit::table::render(&["source", "local id", "quantity", "value", "as of"], &rows)
    );
    println!();
    println!("After normalisation (UN/CEFACT units, USD at the reporting date):");
    println!(
        "{}",
        kit::table::render(&["source", "quantity", "rate", "rate date", "USD"], &rows2)
    );
    // The two mistakes that produce plausible, wrong numbers.
    println!();
    println!("Read the German export with a plain parser, and the S/4 price unit ignored:");
    let german = "250.000";
    let naive = Dec::parse_plain(german).unwrap_or_default();
    let right = Dec::parse(german, ',', Some('.')).unwrap_or_default();
    let s4 = (
        Dec::from_int(180_000),
        Dec::parse_plain("315.00").unwrap_or_default(),
    );
    let mistakes = vec![
        vec![
            format!("R/3 \"Frei verwendbar\" {german:?}"),
            naive.to_grouped(0),
            right.to_grouped(0),
        ],
        vec![
            "S/4 LABST × STPRS, PEINH = 100".into(),
            s4.0.times(s4.1).to_grouped(2),
            s4.0.times(s4.1)
                .checked_div(Dec::from_int(100))
                .unwrap_or_default()
                .to_grouped(2),
        ],
    ];
    println!(
        "{}",
        kit::table::render(&["field", "naive", "correct"], &mistakes)
    );
    Ok(())
}
