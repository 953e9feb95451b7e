//! The fixtures compiled into the library, so the engine can run where there is no file
//! system (the page's Try it block, in wasm32). Paths are relative to `fixtures/`, as in
//! `sources.json`; [`crate::engine::Engine::bundled`] opens them.

/// Every fixture file the engine reads, by its path under `fixtures/`.
pub const FILES: &[(&str, &str)] = &[
    ("sources.json", include_str!("../fixtures/sources.json")),
    ("fx-rates.csv", include_str!("../fixtures/fx-rates.csv")),
    ("parts.csv", include_str!("../fixtures/parts.csv")),
    (
        "material-xref.csv",
        include_str!("../fixtures/material-xref.csv"),
    ),
    ("corp-db.sql", include_str!("../fixtures/corp-db.sql")),
    (
        "s4hana-us/MARD.json",
        include_str!("../fixtures/s4hana-us/MARD.json"),
    ),
    ("r3-de/MB52.txt", include_str!("../fixtures/r3-de/MB52.txt")),
    ("r3-de/AFKO.txt", include_str!("../fixtures/r3-de/AFKO.txt")),
    ("r3-de/QMEL.txt", include_str!("../fixtures/r3-de/QMEL.txt")),
    (
        "netsuite-cn/inventoryItem.json",
        include_str!("../fixtures/netsuite-cn/inventoryItem.json"),
    ),
    (
        "netsuite-cn/purchaseOrder.json",
        include_str!("../fixtures/netsuite-cn/purchaseOrder.json"),
    ),
    (
        "d365-mx/InventWarehouseOnHandV2.json",
        include_str!("../fixtures/d365-mx/InventWarehouseOnHandV2.json"),
    ),
    (
        "d365-mx/Employees.json",
        include_str!("../fixtures/d365-mx/Employees.json"),
    ),
];

/// The bundled file at `path` (relative to `fixtures/`, `/`-separated).
pub fn file(path: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    /// The bundle is the fixtures folder: same files, same bytes.
    #[test]
    fn the_bundle_is_the_fixtures_folder() {
        let dir = crate::config::default_data_dir();
        for (path, text) in super::FILES {
            let on_disk = std::fs::read_to_string(dir.join(path)).unwrap();
            assert_eq!(on_disk, *text, "{path}");
        }
        let mut files = Vec::new();
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p
                        .strip_prefix(&dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    files.push(rel);
                }
            }
        }
        files.retain(|f| f != "eval.json");
        files.sort();
        let mut bundled: Vec<String> = super::FILES.iter().map(|(p, _)| p.to_string()).collect();
        bundled.sort();
        assert_eq!(
            files, bundled,
            "every fixture the engine reads is bundled (eval.json aside)"
        );
    }
}
