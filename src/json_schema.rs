//! JSON Schemas for `lotse.yaml` and the article front matter, so editors can complete and check
//! both while a technician types (VS Code with the YAML extension, any yaml-language-server).
//!
//! The property lists come from the same constants the parsers check against, and a test keeps
//! the two in step.

use serde_json::{json, Value};

use crate::content::AUDIENCES;

fn string_list(description: &str) -> Value {
    json!({ "type": "array", "items": { "type": "string" }, "description": description })
}

/// A draft-07 schema, published as `schemas/{file}`, of an object with exactly `properties`, of
/// which `required` must be there.
fn object_schema(file: &str, title: &str, required: &[&str], properties: Value) -> Value {
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": format!("https://lotse.example/schemas/{file}"),
        "title": title,
        "type": "object",
        "additionalProperties": false,
        "required": required,
        "properties": properties,
    })
}

/// The schema of `lotse check --format json`, for a content repository's CI and dashboards.
pub fn check_report_schema() -> Value {
    let date = json!({ "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$" });
    object_schema(
        "check-report.schema.json",
        "Lotse check report (lotse check --format json)",
        &["errors", "warnings", "diagnostics", "overdue"],
        json!({
            "errors": { "type": "integer", "minimum": 0, "description": "How many diagnostics are errors; any error fails the check." },
            "warnings": { "type": "integer", "minimum": 0 },
            "diagnostics": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["severity", "path", "line", "column", "message", "help"],
                    "properties": {
                        "severity": { "enum": ["error", "warning"] },
                        "path": { "type": "string", "description": "Relative to the portal folder." },
                        "line": { "type": "integer", "minimum": 0, "description": "1-based; 0 for the file as a whole." },
                        "column": { "type": "integer", "minimum": 0 },
                        "message": { "type": "string", "minLength": 1 },
                        "help": { "type": ["string", "null"] }
                    }
                }
            },
            "overdue": {
                "type": "array",
                "description": "Articles due for a check, by owner: named owners alphabetically, then those without an owner (owner null).",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["owner", "articles"],
                    "properties": {
                        "owner": { "type": ["string", "null"] },
                        "articles": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "additionalProperties": false,
                                "required": ["file", "title", "due", "updated"],
                                "properties": {
                                    "file": { "type": "string" },
                                    "title": { "type": "string" },
                                    "due": date,
                                    "updated": { "anyOf": [date, { "type": "null" }] }
                                }
                            }
                        }
                    }
                }
            }
        }),
    )
}

/// The schema of `lotse.yaml`.
pub fn config_schema() -> Value {
    object_schema(
        "lotse.schema.json",
        "Lotse portal configuration (lotse.yaml)",
        &["title"],
        json!({
            "title": { "type": "string", "minLength": 1, "description": "The portal's name, such as \"Hilfe für Lehrkräfte\"." },
            "description": { "type": "string", "description": "One sentence for the home page and search engines." },
            "organization": { "type": "string", "description": "Who runs the portal, shown in header and footer." },
            "language": { "enum": ["de", "en"], "default": "de", "description": "Interface language, callout labels and dates." },
            "base_url": { "type": "string", "pattern": "^(https?://|/)", "description": "Address the site is published under, for sitemap.xml, canonical links and the 404 page." },
            "theme": { "type": "string", "default": "default", "description": "Theme name: the built-in `default` or a folder in themes/." },
            "raw_html": { "enum": ["safe", "trusted"], "default": "safe", "description": "safe: raw HTML in articles may only format text (kbd, sup, details, …); scripts, event handlers, frames and external resources are errors. trusted: raw HTML is published as written, so every author can run code on every reader's device." },
            "offline": { "type": "boolean", "default": true, "description": "Install a service worker so that pages, images and search keep working without network." },
            "internal_output": { "type": "string", "default": "public-intern", "description": "Where `lotse build --internal` writes the technicians' portal (relative to the portal folder). Never inside the public output." },
            "toc_min_headings": { "type": "integer", "minimum": 0, "default": 3, "description": "Articles with at least this many ##/### headings get a table of contents." },
            "platforms": {
                "type": "array",
                "minItems": 1,
                "description": "The platforms articles belong to; each is a folder under content/ and a page.",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["id", "name"],
                    "properties": {
                        "id": { "type": "string", "pattern": "^[a-z0-9-]+$", "not": { "enum": crate::config::RESERVED_PATHS }, "description": "Folder name and first URL segment." },
                        "name": { "type": "string", "description": "Shown on tiles and in breadcrumbs." },
                        "description": { "type": "string" },
                        "icon": { "type": "string", "default": "general", "description": "Theme icon: iserv, office365, ipad, general." },
                        "order": { "type": "integer", "default": 0, "description": "Position on the home page." }
                    }
                }
            },
            "accessibility": {
                "type": "object",
                "additionalProperties": false,
                "required": ["contact"],
                "description": "The accessibility statement (Erklärung zur Barrierefreiheit), linked from every page's footer.",
                "properties": {
                    "contact": { "type": "string", "description": "E-mail or web address where visitors report barriers." },
                    "status": { "enum": ["full", "partial", "none"], "default": "partial" },
                    "issues": { "type": "array", "items": { "type": "string" }, "description": "Content that is not accessible yet, and why." },
                    "alternatives": { "type": "string", "description": "How visitors get that content otherwise." },
                    "prepared": { "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$", "description": "When the statement was prepared or last reviewed." },
                    "enforcement": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["name", "url"],
                        "properties": { "name": { "type": "string" }, "url": { "type": "string" } }
                    }
                }
            },
            "ticket": {
                "type": "object",
                "additionalProperties": false,
                "description": "Where \"Problem melden\" sends tickets: exactly one of email and url.",
                "properties": {
                    "email": { "type": "string", "format": "email", "description": "The helpdesk's address; tickets open as a prefilled e-mail." },
                    "url": { "type": "string", "pattern": "^https?://", "description": "The ticket system's new-ticket address with placeholders such as {subject} and {body}." },
                    "subject": { "type": "string", "default": crate::config::DEFAULT_SUBJECT, "description": "Subject template." },
                    "routes": {
                        "type": "object",
                        "description": "Per platform id, another email or url.",
                        "additionalProperties": {
                            "type": "object",
                            "additionalProperties": false,
                            "properties": { "email": { "type": "string", "format": "email" }, "url": { "type": "string", "pattern": "^https?://" } }
                        }
                    },
                    "fields": {
                        "type": "object",
                        "additionalProperties": false,
                        "description": "What the form asks for, in this order.",
                        "properties": crate::config::TICKET_FIELDS.iter().map(|f| (f.to_string(), json!({ "enum": ["required", "optional"] }))).collect::<serde_json::Map<_, _>>()
                    },
                    "help": { "type": "string", "description": "Text above the form." },
                    "feedback_url": { "type": "string", "description": "Called on Ja/Nein with {article}, {title} and {helpful}." }
                }
            },
            "search": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "synonyms": { "type": "array", "items": { "type": "string", "pattern": "=" }, "description": "Groups of words that mean the same: \"WLAN = WiFi = Internet\"." },
                    "vocabulary": { "type": "boolean", "default": true, "description": "Expand queries with the built-in German school-IT vocabulary." },
                    "vocabulary_off": { "type": "array", "items": { "type": "string" }, "description": "Ids of built-in vocabulary groups to switch off." },
                    "semantic": { "enum": ["auto", "on", "off"], "description": "Whether the search also finds articles by meaning (a 19 MB download per device, fetched lazily): auto = on from 150 published articles." }
                }
            }
        }),
    )
}

/// The schema of an article's front matter.
pub fn front_matter_schema() -> Value {
    object_schema(
        "front-matter.schema.json",
        "Lotse article front matter",
        &["title"],
        json!({
            "title": { "type": "string", "minLength": 1, "description": "What the teacher wants to do or the problem, in their words." },
            "summary": { "type": "string", "description": "One or two sentences, shown in lists and search results." },
            "platform": { "type": "string", "description": "Only needed outside a platform folder." },
            "audience": { "type": "array", "items": { "enum": AUDIENCES }, "description": "Who the article is for." },
            "tags": string_list("Tag pages and platform-page groups (the first tag)."),
            "keywords": string_list("The words teachers actually type: \"Kennwort\", \"Internet geht nicht\"."),
            "updated": { "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$", "description": "Date of the last check, YYYY-MM-DD." },
            "draft": { "type": "boolean", "description": "Built only with --drafts." },
            "internal": { "type": "boolean", "description": "For technicians only: never published." },
            "featured": { "type": "boolean", "description": "Listed under \"Häufige Probleme\" on the home page." },
            "weight": { "type": "integer", "description": "Order on the platform page and among featured articles (lower first); articles without a weight come after all weighted ones." },
            "aliases": { "type": "array", "items": { "type": "string", "pattern": "^/" }, "description": "Old addresses that redirect here, such as \"/ipad/wifi/\"." },
            "owner": { "type": "string", "minLength": 1, "maxLength": 100, "description": "Who keeps the article current: a person or team, optionally with an e-mail address, such as \"Anna Schmidt <a.schmidt@schul-it.example>\"." },
            "review_every": { "type": "integer", "minimum": 1, "maximum": crate::content::MAX_REVIEW_MONTHS, "description": "Check the article again this many months after `updated` (instead of `lotse check --stale-after`)." },
            "review_by": { "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$", "description": "Check the article again by this date, YYYY-MM-DD. Use either this or review_every." }
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ACCESSIBILITY_KEYS, CONFIG_KEYS, PLATFORM_KEYS, SEARCH_KEYS};
    use crate::content::FRONT_MATTER_KEYS;

    fn keys(schema: &Value, pointer: &str) -> Vec<String> {
        let mut keys: Vec<String> = schema.pointer(pointer).unwrap().as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }

    fn sorted(list: &[&str]) -> Vec<String> {
        let mut list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        list.sort();
        list
    }

    #[test]
    fn schemas_list_exactly_what_the_parsers_accept() {
        let config = config_schema();
        assert_eq!(keys(&config, "/properties"), sorted(CONFIG_KEYS));
        assert_eq!(keys(&config, "/properties/platforms/items/properties"), sorted(PLATFORM_KEYS));
        assert_eq!(keys(&config, "/properties/search/properties"), sorted(SEARCH_KEYS));
        assert_eq!(keys(&config, "/properties/ticket/properties"), sorted(crate::config::TICKET_KEYS));
        assert_eq!(
            keys(&config, "/properties/ticket/properties/fields/properties"),
            sorted(crate::config::TICKET_FIELDS)
        );
        assert_eq!(keys(&config, "/properties/accessibility/properties"), sorted(ACCESSIBILITY_KEYS));
        assert_eq!(keys(&front_matter_schema(), "/properties"), sorted(FRONT_MATTER_KEYS));
    }
}
