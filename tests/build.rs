//! End-to-end tests of `lotse build` on the `valid` fixture portal.

mod common;

use std::fs;

use common::{broken_links, files, files_containing, snapshot, Portal};

#[test]
fn builds_pretty_urls_for_every_page_type() {
    let portal = Portal::fixture("valid");
    let run = portal.build(&[]);
    run.expect_code(0);
    assert!(run.stdout.contains("Built 4 articles on 3 platforms"), "{}", run.stdout);
    let out = files(&portal.public());
    for expected in [
        "index.html",
        "404.html",
        "sitemap.xml",
        "iserv/index.html",
        "iserv/passwort-vergessen/index.html",
        "ipad/wlan/index.html",
        "ipad/drucken/index.html",
        "ipad/drucken/teilen.svg",
        "iserv/anmeldung.svg",
        "iserv/merkblatt.pdf",
        "tags/index.html",
        "tags/passwort/index.html",
        "search/index.html",
        "iserv/kennwort-vergessen/index.html",
        "assets/css/lotse.css",
        "assets/js/lotse.js",
    ] {
        assert!(out.contains(&expected.to_string()), "missing {expected} in {out:?}");
    }
}

#[test]
fn every_link_and_image_in_the_output_resolves() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    let broken = broken_links(&portal.public());
    assert!(broken.is_empty(), "broken links: {broken:#?}");
}

#[test]
fn article_page_shows_what_teachers_need() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    let html = portal.read_output("iserv/passwort-vergessen/index.html");
    // Title, summary, platform, audience, date, breadcrumbs.
    assert!(html.contains("<h1>Passwort vergessen</h1>"), "{html}");
    assert!(html.contains("Neues Passwort für IServ."));
    assert!(html.contains("Für: Lehrkräfte"));
    assert!(html.contains("<time datetime=\"2026-05-01\">1. Mai 2026</time>"));
    assert!(html.contains("aria-label=\"Sie sind hier\""));
    // Rewritten links to another article's heading and to a bundle.
    assert!(html.contains("href=\"../../ipad/wlan/#schueler-wlan\""), "{html}");
    assert!(html.contains("href=\"../../ipad/drucken/\""));
    // Callout with German label, image with its size.
    assert!(html.contains("<p class=\"callout-title\">Tipp</p>"));
    assert!(html.contains("src=\"../../iserv/anmeldung.svg\" alt=\"Die Anmeldeseite mit dem Link „Passwort vergessen?“\" width=\"320\" height=\"200\""), "{html}");
    // Related article sharing a tag.
    assert!(html.contains("Das könnte auch helfen"));
}

#[test]
fn content_text_is_escaped() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    let html = portal.read_output("allgemein/drucker/index.html");
    assert!(!html.contains("<script>alert"), "summary was not escaped");
    assert!(html.contains("Papierstau &lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt; &amp; mehr."), "{html}");
    let code = portal.read_output("ipad/wlan/index.html");
    assert!(!code.contains("<b>nicht fett</b>"), "code block was not escaped");
}

#[test]
fn internal_and_draft_articles_never_reach_the_output() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    for secret in [
        "GEHEIMTITEL-7431",
        "GEHEIMTEXT-7431",
        "GEHEIMBILD-7431",
        "intern-only-tag",
        "intern-geheim",
        "ENTWURFTITEL-5521",
        "ENTWURFTEXT-5521",
        "entwurf-only-tag",
    ] {
        let found = files_containing(&portal.public(), secret);
        assert!(found.is_empty(), "`{secret}` leaked into {found:?}");
    }
}

/// Canary strings of the fixture's internal article: title, body, image name, tag.
const INTERNAL_CANARIES: [&str; 5] =
    ["GEHEIMTITEL-7431", "GEHEIMTEXT-7431", "GEHEIMBILD-7431", "intern-only-tag", "intern-geheim"];

#[test]
fn the_internal_portal_is_complete_marked_and_the_public_build_after_it_has_no_trace() {
    let portal = Portal::fixture("valid");
    portal.build(&["--internal"]).expect_code(0);
    let internal = portal.root().join("public-intern");
    for canary in INTERNAL_CANARIES {
        assert!(!files_containing(&internal, canary).is_empty(), "the internal portal lacks `{canary}`");
    }
    // The search carries its text, compressed in the pack: the leak checks below look in there too.
    let in_search = files_containing(&internal.join("search"), "GEHEIMTEXT-7431");
    assert!(in_search.iter().any(|f| f.ends_with(".bin.lzma")), "{in_search:?}");
    assert!(internal.join("allgemein/geheim.svg").is_file(), "the internal article's image");
    let page = std::fs::read_to_string(internal.join("allgemein/intern-geheim/index.html")).unwrap();
    assert!(page.contains("Intern – nur im internen Portal"), "the article's banner");
    // Every page: the marker, and no search engine may index it.
    for file in files(&internal).iter().filter(|f| f.ends_with(".html")) {
        let html = std::fs::read_to_string(internal.join(file)).unwrap();
        if html.contains("http-equiv=\"refresh\"") {
            continue; // alias redirects carry noindex of their own
        }
        assert!(html.contains(r#"<meta name="robots" content="noindex, nofollow">"#), "{file} may be indexed");
        assert!(html.contains("class=\"edition-banner\""), "{file} lacks the Intern marker");
    }
    let worker = std::fs::read_to_string(internal.join("sw.js")).unwrap();
    assert!(worker.contains("\nvar CACHE_PREFIX = \"lotse-intern\";\n"), "{}", &worker[..80]);
    // The public portal, built right after into its own folder: no trace, no marker.
    portal.build(&[]).expect_code(0);
    for canary in INTERNAL_CANARIES {
        let found = files_containing(&portal.public(), canary);
        assert!(found.is_empty(), "`{canary}` leaked into {found:?}");
    }
    assert!(!portal.public().join("allgemein/geheim.svg").exists());
    let home = portal.read_output("index.html");
    assert!(!home.contains("noindex") && !home.contains("edition-banner"), "the public portal is marked internal");
    assert!(portal.read_output("sw.js").contains("\nvar CACHE_PREFIX = \"lotse\";\n"));
}

#[test]
fn the_internal_portal_is_never_written_into_the_public_output() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    let before = snapshot(&portal.public());
    for output in ["public", "public/intern", "./public/../public/x"] {
        let run = portal.build(&["--internal", "--output", output]);
        run.expect_code(2);
        assert!(run.stderr.contains("is the public output"), "{output}: {}", run.stderr);
        assert_eq!(snapshot(&portal.public()), before, "{output}: the public output changed");
    }
    assert!(!portal.root().join("public-intern").exists(), "nothing else was written");
}

#[test]
fn the_internal_portal_goes_where_lotse_yaml_says() {
    let portal = Portal::fixture("valid");
    let config = std::fs::read_to_string(portal.root().join("lotse.yaml")).unwrap();
    portal.write("lotse.yaml", &format!("{config}\ninternal_output: technik-portal\n"));
    portal.build(&["--internal"]).expect_code(0);
    assert!(portal.root().join("technik-portal/allgemein/intern-geheim/index.html").is_file());
}

#[test]
fn drafts_flag_publishes_drafts_but_never_internal_articles() {
    let portal = Portal::fixture("valid");
    portal.build(&["--drafts"]).expect_code(0);
    assert!(portal.read_output("allgemein/entwurf/index.html").contains("ENTWURFTEXT-5521"));
    assert!(files_containing(&portal.public(), "GEHEIMTEXT-7431").is_empty());
}

#[test]
fn aliases_redirect_to_the_article() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    let html = portal.read_output("iserv/kennwort-vergessen/index.html");
    assert!(
        html.contains("<meta http-equiv=\"refresh\" content=\"0; url=../../iserv/passwort-vergessen/\">"),
        "{html}"
    );
}

#[test]
fn sitemap_lists_public_pages_under_the_base_url() {
    let portal = Portal::fixture("valid");
    portal.build(&["--base-url", "https://schule.example/hilfe"]).expect_code(0);
    let xml = portal.read_output("sitemap.xml");
    assert!(
        xml.contains("<loc>https://schule.example/hilfe/iserv/passwort-vergessen/</loc><lastmod>2026-05-01</lastmod>"),
        "{xml}"
    );
    assert!(xml.contains("<loc>https://schule.example/hilfe/</loc>"));
    assert!(!xml.contains("intern-geheim") && !xml.contains("entwurf") && !xml.contains("kennwort-vergessen"), "{xml}");
    // The 404 page is served at any depth, so it links from the base path.
    let not_found = portal.read_output("404.html");
    assert!(not_found.contains("href=\"/hilfe/assets/css/lotse.css"), "{not_found}");
    let article = portal.read_output("ipad/wlan/index.html");
    assert!(article.contains("<link rel=\"canonical\" href=\"https://schule.example/hilfe/ipad/wlan/\">"));
}

#[test]
fn builds_are_deterministic() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    let first = snapshot(&portal.public());
    portal.build(&[]).expect_code(0);
    let second = snapshot(&portal.public());
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert!(a == b, "{} differs between two builds", a.0);
    }
}

#[test]
fn portal_templates_override_the_theme() {
    let portal = Portal::fixture("valid");
    portal.write("templates/tags.html", "<!doctype html><title>Eigene Vorlage</title><p>EIGENE-TAGS-SEITE</p>");
    portal.build(&[]).expect_code(0);
    assert!(portal.read_output("tags/index.html").contains("EIGENE-TAGS-SEITE"));
}

#[test]
fn the_accessibility_statement_is_generated_and_linked_from_every_page() {
    let portal = Portal::fixture("valid");
    let config = std::fs::read_to_string(portal.root().join("lotse.yaml")).unwrap();
    portal.write(
        "lotse.yaml",
        &format!("{config}accessibility:\n  contact: barrieren@schule.example\n  status: partial\n  issues: [\"Alte PDF-Merkblätter <noch nicht> barrierefrei\"]\n  prepared: 2026-11-01\n  enforcement:\n    name: Schlichtungsstelle\n    url: https://schlichtung.example/\n"),
    );
    portal.build(&[]).expect_code(0);
    let html = portal.read_output("barrierefreiheit/index.html");
    assert!(html.contains("<h1>Erklärung zur Barrierefreiheit</h1>"), "{html}");
    assert!(html.contains("teilweise vereinbar"));
    assert!(html.contains("<li>Alte PDF-Merkblätter &lt;noch nicht&gt; barrierefrei</li>"), "content is escaped");
    assert!(html.contains("<a href=\"mailto:barrieren@schule.example\">barrieren@schule.example</a>"));
    assert!(html.contains("<a href=\"https://schlichtung.example/\">Schlichtungsstelle</a>"));
    for page in ["index.html", "ipad/wlan/index.html", "tags/index.html", "404.html"] {
        assert!(portal.read_output(page).contains(">Barrierefreiheit</a>"), "{page} has no footer link");
    }
    assert!(portal.read_output("sitemap.xml").contains("barrierefreiheit/"));
    assert!(broken_links(&portal.public()).is_empty());

    portal.write("lotse.yaml", &format!("{config}accessibility:\n  contact: Frau Müller\n"));
    let run = portal.build(&[]);
    run.expect_code(2);
    assert!(run.stderr.contains("`Frau Müller` is neither an e-mail address nor a web address"), "{}", run.stderr);
}

#[test]
fn the_portal_is_installable_with_a_web_app_manifest() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    let manifest: serde_json::Value = serde_json::from_str(&portal.read_output("manifest.webmanifest")).unwrap();
    assert_eq!(manifest["name"], "Testportal");
    assert_eq!(manifest["start_url"], "./");
    assert_eq!(manifest["display"], "standalone");
    for icon in manifest["icons"].as_array().unwrap() {
        let src = icon["src"].as_str().unwrap();
        assert!(portal.public().join(src).is_file(), "{src} is missing");
    }
    let page = portal.read_output("ipad/wlan/index.html");
    assert!(page.contains("<link rel=\"manifest\" href=\"../../manifest.webmanifest\">"), "{page}");
    assert!(page.contains("<link rel=\"apple-touch-icon\" href=\"../../assets/icons/apple-touch-icon.png\">"));
}

#[test]
fn without_a_statement_there_is_no_accessibility_page_or_link() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    assert!(!portal.public().join("barrierefreiheit").exists());
    assert!(!portal.read_output("index.html").contains(">Barrierefreiheit</a>"));
}

#[test]
fn english_portals_get_english_labels() {
    let portal = Portal::fixture("valid");
    let config = std::fs::read_to_string(portal.root().join("lotse.yaml")).unwrap();
    portal.write("lotse.yaml", &format!("{config}language: en\n"));
    portal.build(&[]).expect_code(0);
    let html = portal.read_output("iserv/passwort-vergessen/index.html");
    assert!(html.contains("<html lang=\"en\""));
    assert!(html.contains("<p class=\"callout-title\">Tip</p>"));
    assert!(html.contains("1 May 2026"));
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_portal_are_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), "---\ntitle: AUSSERHALB-9911\n---\nAUSSERHALB-9911\n").unwrap();
    let portal = Portal::fixture("valid");
    std::os::unix::fs::symlink(outside.path().join("secret.md"), portal.root().join("content/ipad/secret.md")).unwrap();
    let run = portal.build(&[]);
    run.expect_code(0);
    assert!(run.stderr.contains("warning: skipped a symbolic link that points outside the portal"), "{}", run.stderr);
    assert!(run.stderr.contains("content/ipad/secret.md"), "{}", run.stderr);
    assert!(files_containing(&portal.public(), "AUSSERHALB-9911").is_empty());
}

#[test]
fn service_worker_lists_every_file_of_the_build_and_offline_false_removes_it() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    let worker = portal.read_output("sw.js");
    let listed: Vec<String> = {
        let line = worker.lines().find(|l| l.starts_with("var FILES = ")).expect("file list");
        serde_json::from_str(line.trim_start_matches("var FILES = ").trim_end_matches(';')).unwrap()
    };
    for file in files(&portal.public()) {
        // Postings and positions read by range are a fallback for reads the search did not plan;
        // their blocks (search/b/) are what it reads and what the cache holds.
        let range_fallback = file.starts_with("search/i/") && (file.ends_with(".idx") || file.ends_with(".pos"));
        if file == "sw.js" || file == ".lotse-output.json" || range_fallback {
            assert!(!listed.contains(&file), "{file} must not be cached");
            continue;
        }
        let url = match file.strip_suffix("index.html") {
            Some("") => "./".to_string(),
            Some(folder) => folder.to_string(),
            None => file.clone(),
        };
        assert!(listed.contains(&url), "{url} is missing from the offline cache list");
    }
    assert!(portal.read_output("index.html").contains("data-service-worker=\"sw.js\""));
    assert!(portal.read_output("iserv/passwort-vergessen/index.html").contains("data-service-worker=\"../../sw.js\""));

    // Any change to any file gives the cache a new name.
    let version = |w: &str| w.lines().next().unwrap().to_string();
    let before = version(&worker);
    let config = fs::read_to_string(portal.root().join("lotse.yaml")).unwrap();
    portal.write("lotse.yaml", &config.replace("title:", "title: Neu –"));
    portal.build(&[]).expect_code(0);
    assert_ne!(version(&portal.read_output("sw.js")), before);

    portal.write("lotse.yaml", &format!("{config}\noffline: false\n"));
    portal.build(&[]).expect_code(0);
    assert!(!portal.read_output("index.html").contains("data-service-worker"));
    let remover = portal.read_output("sw.js");
    assert!(remover.contains("unregister()") && !remover.contains("var FILES"), "{remover}");
}

#[test]
fn ticket_buttons_appear_only_with_a_ticket_section() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    assert!(!portal.public().join("problem-melden").exists());
    // The theme's CSS and JavaScript know the ticket UI; no page may show it.
    let pages = |needle: &str| -> Vec<String> {
        files_containing(&portal.public(), needle).into_iter().filter(|f| f.ends_with(".html")).collect()
    };
    assert!(pages("problem-melden").is_empty(), "ticket UI without a ticket section: {:?}", pages("problem-melden"));
    assert!(pages("Hat diese Anleitung geholfen").is_empty());
    assert!(pages("lotse-ticket.js").is_empty());

    let config = fs::read_to_string(portal.root().join("lotse.yaml")).unwrap();
    portal.write(
        "lotse.yaml",
        &format!("{config}ticket:\n  email: it@schule.example\n  fields:\n    room: required\n    school: optional\n"),
    );
    portal.build(&[]).expect_code(0);
    let form = portal.read_output("problem-melden/index.html");
    // The configured fields in the configured order, `required` where asked.
    let room = form.find("id=\"ticket-room\"").expect("room field");
    let school = form.find("id=\"ticket-school\"").expect("school field");
    assert!(room < school, "fields keep the configured order");
    assert!(form[room..school].contains("required"), "room is required");
    assert!(!form.contains("id=\"ticket-name\""), "fields not configured are not asked for");
    assert!(form.contains("mailto:it@schule.example"), "the no-JavaScript fallback names the address");
    let article = portal.read_output("iserv/passwort-vergessen/index.html");
    assert!(article.contains("Hat diese Anleitung geholfen?"));
    assert!(article.contains("../../problem-melden/?article=iserv%2Fpasswort-vergessen%2F&amp;title=Passwort%20vergessen&amp;platform=iserv"), "{article}");
    assert!(portal.read_output("index.html").contains("href=\"problem-melden/\""), "the home page links the form");
    broken_links(&portal.public()).is_empty().then_some(()).expect("no broken links");
}

#[test]
fn weighted_articles_come_first_and_unweighted_ones_after_them() {
    let portal = Portal::fixture("valid");
    portal.write("content/iserv/aaa-ohne-gewicht.md", "---\ntitle: AAA ohne Gewicht\n---\nText.\n");
    portal.write("content/iserv/zzz-gewicht.md", "---\ntitle: ZZZ mit Gewicht\nweight: 50\n---\nText.\n");
    portal.write("content/iserv/mmm-negativ.md", "---\ntitle: MMM mit negativem Gewicht\nweight: -5\n---\nText.\n");
    portal.build(&[]).expect_code(0);
    let page = portal.read_output("iserv/index.html");
    let at = |title: &str| page.find(title).unwrap_or_else(|| panic!("{title} not listed"));
    assert!(at("MMM mit negativem Gewicht") < at("ZZZ mit Gewicht"));
    assert!(at("ZZZ mit Gewicht") < at("AAA ohne Gewicht"), "an unweighted article came before a weighted one");
}

#[test]
fn content_is_escaped_wherever_it_appears() {
    let portal = Portal::fixture("valid");
    let config = std::fs::read_to_string(portal.root().join("lotse.yaml")).unwrap();
    let config: String = config.lines().filter(|l| !l.starts_with("base_url")).map(|l| format!("{l}\n")).collect();
    portal.write(
        "lotse.yaml",
        &format!(
            "{config}base_url: \"https://schule.example/r&d/\"\naccessibility:\n  contact: barrierefreiheit@schule.example\n  status: partial\n  issues: [\"<img src=x onerror=alert(8)> Grafik\"]\n  enforcement:\n    name: \"<b>Stelle</b> & Co\"\n    url: \"https://stelle.example/?a=1&b='2'\"\n"
        ),
    );
    portal.write(
        "content/iserv/boese.md",
        "---\ntitle: \"Titel <img src=x onerror=alert(1)> & \\\"Zitat\\\"\"\nsummary: \"Summary <script>alert(2)</script> & 'mehr'\"\ntags: [\"<b>fett</b>\", \"Q&A\"]\naliases: [\"/alt/boese/\"]\nkeywords: [\"<i>kw</i>\"]\nfeatured: true\n---\nText.\n",
    );
    portal.build(&[]).expect_code(0);
    // No HTML or XML file carries a payload as markup.
    for file in common::files(&portal.public()) {
        if !(file.ends_with(".html") || file.ends_with(".xml")) {
            continue;
        }
        let text = portal.read_output(&file);
        for raw in ["<img src=x", "<script>alert", "<b>fett</b>", "<b>Stelle</b>", "<i>kw</i>", "b='2"] {
            assert!(!text.contains(raw), "{file} contains `{raw}` unescaped");
        }
    }
    let escaped_title = "Titel &lt;img src=x onerror=alert(1)&gt; &amp; &quot;Zitat&quot;";
    // The list card on the platform page, the home page's frequent problems, the tag page.
    for page in ["iserv/index.html", "index.html", "tags/q-a/index.html"] {
        assert!(portal.read_output(page).contains(escaped_title), "{page} lacks the escaped title");
    }
    // The meta description.
    let article = portal.read_output("iserv/boese/index.html");
    assert!(
        article.contains("content=\"Summary &lt;script&gt;alert(2)&lt;/script&gt; &amp; &#39;mehr&#39;\""),
        "{article}"
    );
    // Tag names.
    assert!(portal.read_output("tags/index.html").contains("&lt;b&gt;fett&lt;/b&gt;"));
    // The redirect from the old address.
    let redirect = portal.read_output("alt/boese/index.html");
    assert!(redirect.contains(escaped_title), "{redirect}");
    // The sitemap escapes `&` in the base URL.
    let sitemap = portal.read_output("sitemap.xml");
    assert!(sitemap.contains("<loc>https://schule.example/r&amp;d/iserv/boese/</loc>"), "{sitemap}");
    // The accessibility statement's links and texts.
    let statement = portal.read_output("barrierefreiheit/index.html");
    assert!(statement.contains("href=\"https://stelle.example/?a=1&amp;b=&#39;2&#39;\""), "{statement}");
    assert!(statement.contains("&lt;b&gt;Stelle&lt;/b&gt; &amp; Co"), "{statement}");
    assert!(statement.contains("&lt;img src=x onerror=alert(8)&gt; Grafik"), "{statement}");
}

#[test]
fn the_accessibility_statement_links_only_to_web_and_mail_addresses() {
    let portal = Portal::fixture("valid");
    let config = std::fs::read_to_string(portal.root().join("lotse.yaml")).unwrap();
    portal.write(
        "lotse.yaml",
        &format!("{config}accessibility:\n  contact: \"javascript:alert(1)//@x.example\"\n  status: full\n  enforcement:\n    name: Stelle\n    url: \"javascript:alert(2)\"\n"),
    );
    let run = portal.build(&[]);
    run.expect_code(2);
    assert!(run.stderr.contains("is neither an e-mail address nor a web address"), "{}", run.stderr);
    assert!(run.stderr.contains("`javascript:alert(2)` is not a web address"), "{}", run.stderr);
}

#[test]
fn the_search_page_stays_small_however_many_articles_there_are() {
    let size_with = |articles: usize| {
        let portal = Portal::fixture("valid");
        for i in 0..articles {
            portal.write(
                &format!("content/iserv/artikel-{i}.md"),
                &format!("---\ntitle: Eine ausführliche Anleitung Nummer {i}\nsummary: Was Lehrkräfte tun, wenn {i} Dinge nicht gehen.\n---\nText.\n"),
            );
        }
        portal.build(&[]).expect_code(0);
        let page = portal.read_output("search/index.html");
        // Without JavaScript it still leads to every area, whose pages list the articles.
        assert!(page.contains("href=\"../iserv/\""), "{page}");
        page.len()
    };
    let (few, many) = (size_with(0), size_with(300));
    // The article count of an area may add a digit or two; a list of articles would add kilobytes.
    assert!(many <= few + 16, "the search page grew from {few} to {many} bytes with 300 more articles");
    assert!(few < 16_000, "the search page has {few} bytes");
}

#[test]
fn an_overdue_article_shows_its_owner_and_a_banner_to_technicians_only() {
    let portal = Portal::fixture("valid");
    let path = portal.root().join("content/ipad/wlan.md");
    let text = fs::read_to_string(&path).unwrap();
    // Due long ago, whatever today is.
    let text = text.replacen("---\n", "---\nowner: Team iPad <ipad@schul-it.example>\nreview_by: 2020-01-01\n", 1);
    fs::write(&path, text).unwrap();
    portal.build(&["--internal"]).expect_code(0);
    let internal = fs::read_to_string(portal.root().join("public-intern/ipad/wlan/index.html")).unwrap();
    assert!(internal.contains("Überprüfung fällig seit 1. Januar 2020"), "no overdue banner");
    assert!(internal.contains("Team iPad &lt;ipad@schul-it.example&gt;"), "no owner");
    portal.build(&[]).expect_code(0);
    let public = portal.read_output("ipad/wlan/index.html");
    assert!(!public.contains("Überprüfung") && !public.contains("Team iPad"), "teachers see the review");
    assert!(public.contains("Geprüft am"));
}

#[test]
fn with_a_full_base_url_articles_get_qr_codes_and_lists_get_wall_sheets_without_unpublished_articles() {
    let portal = Portal::fixture("valid");
    portal.build(&["--base-url", "https://schule.example/hilfe"]).expect_code(0);
    let out = files(&portal.public());
    for expected in [
        "iserv/passwort-vergessen/qr.svg",
        "ipad/wlan/qr.svg",
        "ipad/drucken/qr.svg",
        "iserv/aushang/index.html",
        "ipad/aushang/index.html",
        "tags/passwort/aushang/index.html",
    ] {
        assert!(out.contains(&expected.to_string()), "missing {expected} in {out:?}");
    }
    assert!(!out.iter().any(|f| f.contains("intern-geheim") || f.contains("entwurf")), "{out:?}");
    for canary in INTERNAL_CANARIES.iter().chain(&["ENTWURFTITEL-5521", "entwurf"]) {
        let found = files_containing(&portal.public(), canary);
        assert!(!found.iter().any(|f| f.contains("aushang")), "`{canary}` on a wall sheet: {found:?}");
    }
    let article = portal.read_output("ipad/wlan/index.html");
    assert!(article.contains("<img src=\"qr.svg\""), "{article}");
    assert!(article.contains("https://schule.example/hilfe/ipad/wlan/</span>"), "{article}");
    let platform = portal.read_output("ipad/index.html");
    assert!(platform.contains("<a href=\"aushang/\">Aushang mit QR-Codes drucken</a>"), "{platform}");
    let sheet = portal.read_output("ipad/aushang/index.html");
    assert!(sheet.contains("src=\"../../ipad/wlan/qr.svg\""), "{sheet}");
    assert!(sheet.contains("https://schule.example/hilfe/ipad/wlan/"), "{sheet}");
    // The summaries on a wall sheet are escaped like everywhere else.
    let sheet = portal.read_output("allgemein/aushang/index.html");
    assert!(!sheet.contains("<script>alert"), "{sheet}");
    assert!(sheet.contains("Papierstau &lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt; &amp; mehr."), "{sheet}");
    let svg = portal.read_output("ipad/wlan/qr.svg");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{svg}");
    let broken = broken_links(&portal.public());
    assert!(broken.is_empty(), "broken links: {broken:#?}");
}

#[test]
fn without_a_full_base_url_there_are_no_qr_codes_and_no_wall_sheets() {
    let portal = Portal::fixture("valid");
    portal.build(&["--base-url", "/hilfe/"]).expect_code(0);
    let out = files(&portal.public());
    assert!(!out.iter().any(|f| f.ends_with("qr.svg") || f.contains("aushang")), "{out:?}");
    assert!(!portal.read_output("ipad/index.html").contains("aushang"));
}

#[test]
fn an_article_named_aushang_keeps_its_address_and_the_platform_has_no_wall_sheet() {
    let portal = Portal::fixture("valid");
    portal.write(
        "content/ipad/aushang.md",
        "---\ntitle: Aushang im Lehrerzimmer\n---\nDer Aushang hängt neben der Tür.\n",
    );
    portal.build(&["--base-url", "https://schule.example/hilfe"]).expect_code(0);
    assert!(portal.read_output("ipad/aushang/index.html").contains("Der Aushang hängt neben der Tür."));
    assert!(!portal.read_output("ipad/index.html").contains("Aushang mit QR-Codes drucken"));
    assert!(portal.read_output("iserv/index.html").contains("Aushang mit QR-Codes drucken"));
}
