//! A built portal's search folder, read the way the browser receives it: shared by the examples.

use std::path::Path;

use search_index::engine::SearchConfig;
use serde_json::Value;

/// What `lotse build` wrote into `<site>/search`.
pub struct SearchFolder {
    /// The tantivy files as `(tantivy file name, bytes)`, for [`search_index::engine::Engine::from_files`].
    pub files: Vec<(String, Vec<u8>)>,
    /// The portal's `search:` settings.
    pub config: SearchConfig,
    /// The result entries, in index order: `[url, title, …]`.
    pub docs: Vec<Value>,
}

/// Reads the manifest, the index files it names and the docs chunks; panics with the file name
/// when one is missing, as a developer tool may.
pub fn read(dir: &Path) -> SearchFolder {
    let file = |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let manifest: Value = serde_json::from_slice(&file("manifest.json")).expect("manifest.json");
    // A small portal's files travel in one .lzma pack; a large portal's stand on their own.
    let pack: Option<Vec<u8>> = manifest["pack"]["url"].as_str().map(|url| {
        let packed = file(url);
        let mut reader = lzma_rust2::LzmaReader::new_mem_limit(&packed[..], u32::MAX, None).expect("the pack's header");
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut reader, &mut bytes).expect("the pack");
        bytes
    });
    let read = |name: &str| match (&pack, manifest["pack"]["files"][name].as_array()) {
        (Some(pack), Some(at)) => {
            let (start, len) = (at[0].as_u64().unwrap() as usize, at[1].as_u64().unwrap() as usize);
            pack[start..start + len].to_vec()
        }
        // Result list chunks and texts that are not in the pack are published gzipped.
        _ if dir.join(format!("{name}.gz")).is_file() => {
            let mut bytes = Vec::new();
            let gzipped = file(&format!("{name}.gz"));
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzipped[..]), &mut bytes).expect("gzip");
            bytes
        }
        _ => file(name),
    };
    let files = manifest["index"]
        .as_object()
        .expect("index files")
        .iter()
        .map(|(name, entry)| (name.clone(), read(entry["url"].as_str().unwrap_or_default())))
        .collect();
    let config: SearchConfig = serde_json::from_value(manifest["config"].clone()).expect("config");
    let mut docs: Vec<Value> = Vec::new();
    let prefix = manifest["docs"]["prefix"].as_str().unwrap_or_default();
    for n in 0..manifest["docs"]["count"].as_u64().unwrap_or_default() {
        let list: Vec<Value> = serde_json::from_slice(&read(&format!("{prefix}-{n}.json"))).expect("docs");
        docs.extend(list);
    }
    SearchFolder { files, config, docs }
}
