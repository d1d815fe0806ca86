//! `lotse schema`: writes the JSON Schemas for `lotse.yaml` and the front matter.

use std::process::ExitCode;

use anyhow::{Context as _, Result};

use crate::cli::SchemaArgs;

use super::{print_fatal, EXIT_USAGE};

pub fn run(args: SchemaArgs, quiet: bool) -> ExitCode {
    match write(&args) {
        Ok(files) => {
            if !quiet {
                for file in files {
                    crate::outln!("Wrote {}", file.display());
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            print_fatal(&e);
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn write(args: &SchemaArgs) -> Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(&args.output).with_context(|| format!("cannot create {}", args.output.display()))?;
    let mut written = Vec::new();
    for (name, schema) in [
        ("lotse.schema.json", crate::json_schema::config_schema()),
        ("front-matter.schema.json", crate::json_schema::front_matter_schema()),
        ("check-report.schema.json", crate::json_schema::check_report_schema()),
    ] {
        let path = args.output.join(name);
        std::fs::write(&path, serde_json::to_string_pretty(&schema)? + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
