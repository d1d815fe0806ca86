//! `lotse notice new TITLE --platform ID`: starts an outage notice in `notices/`, beginning now,
//! with every field filled or commented. It never overwrites a file.

use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};

use crate::cli::NoticeNewArgs;
use crate::config::Config;
use crate::notices::NOTICES_DIR;

use super::{print_diagnostics, print_fatal, EXIT_USAGE};

pub fn new(args: NoticeNewArgs, quiet: bool) -> ExitCode {
    let config = match Config::load(&args.root) {
        Ok(config) => config,
        Err(found) => {
            print_diagnostics(&found, quiet);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let now = chrono::Local::now().fixed_offset();
    match create(&args, &config, now) {
        Ok(path) => {
            if !quiet {
                crate::outln!("Created {}", path.display());
                crate::outln!(
                    "It shows from now on the affected platforms' pages once you build and upload the portal."
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            print_fatal(&e);
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn create(
    args: &NoticeNewArgs,
    config: &Config,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<std::path::PathBuf> {
    for platform in &args.platform {
        if config.platform(platform).is_none() {
            bail!("unknown platform `{platform}`\n  help: {}", config.platform_help(platform));
        }
    }
    let title = args.title.trim();
    let slug = search_index::slugify(title);
    if slug.is_empty() {
        bail!("`{title}` gives an empty file name\n  help: describe what is broken with letters or digits");
    }
    let dir = args.root.join(NOTICES_DIR);
    let path = dir.join(format!("{}-{slug}.md", now.format("%Y-%m-%d")));
    if path.exists() {
        bail!("{} exists already\n  help: edit it, or give the new notice another title", path.display());
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let text = format!(
        "---\ntitle: {title:?}\nstart: {start}\n# end: {end}   # when it is over; a notice without `end` lasts until `status: resolved`\nstatus: investigating   # investigating, identified, monitoring, resolved\nplatforms: [{platforms}]\n# locations: [\"Gymnasium Nord\"]   # affected schools or sites, if not all\n# article: ../content/{first}/umgehung.md   # the how-to with a workaround\n---\n\nWas geht nicht, wer ist betroffen, und was Lehrkräfte jetzt tun können.\n\n### {stamp}\n\nWir haben die Störung bemerkt und prüfen die Ursache.\n",
        start = now.format("%Y-%m-%dT%H:%M:00%:z"),
        end = (now + chrono::Duration::hours(2)).format("%Y-%m-%dT%H:%M:00%:z"),
        platforms = args.platform.join(", "),
        first = args.platform[0],
        stamp = now.format("%Y-%m-%d %H:%M"),
    );
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_notice_is_valid_and_active_from_now() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lotse.yaml"), "title: T\nplatforms:\n  - {id: iserv, name: IServ}\n").unwrap();
        let config = Config::load(dir.path()).unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-07T08:10:00+01:00").unwrap();
        let args = NoticeNewArgs {
            title: "IServ-E-Mail gestört".into(),
            platform: vec!["iserv".into()],
            root: dir.path().into(),
        };
        let path = create(&args, &config, now).unwrap();
        assert!(path.ends_with("notices/2026-12-07-iserv-e-mail-gestoert.md"), "{}", path.display());
        let mut problems = Vec::new();
        let notices = crate::notices::load(dir.path(), &config, &[], &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(notices[0].is_active(now));
        assert_eq!(notices[0].title, "IServ-E-Mail gestört");
        assert!(create(&args, &config, now).is_err(), "never overwrites");
        let wrong = NoticeNewArgs { platform: vec!["isrv".into()], ..args };
        assert!(format!("{:#}", create(&wrong, &config, now).unwrap_err()).contains("did you mean `iserv`?"));
    }
}
