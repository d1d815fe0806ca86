//! The `ticket:` section: where the "Problem melden" form hands a teacher's problem to the helpdesk.
//!
//! The portal has no server, so a ticket leaves the teacher's device in one of two ways: the mail
//! app opens with a prefilled `mailto:`, or the ticket system's own web form opens from a URL
//! template. Everything is checked at build time, because a typo here would only show when a
//! teacher with a broken iPad tries to report it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_yaml::{Mapping, Value};

use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::yaml::YamlSource;

/// Keys of the `ticket:` section.
pub const TICKET_KEYS: &[&str] = &["email", "url", "subject", "routes", "fields", "help", "feedback_url"];

/// Keys of one entry under `ticket.routes`.
pub const ROUTE_KEYS: &[&str] = &["email", "url"];

/// The fields a form may ask for, in the order the README lists them.
pub const TICKET_FIELDS: &[&str] = &["school", "name", "email", "room", "device", "inventory"];

/// What `url` and `subject` may contain in braces; each is the teacher's input, URL-encoded in `url`.
pub const TICKET_PLACEHOLDERS: &[&str] = &[
    "subject",
    "body",
    "summary",
    "description",
    "platform",
    "article",
    "query",
    "step",
    "school",
    "name",
    "email",
    "room",
    "device",
    "inventory",
];

/// What `feedback_url` may contain in braces.
pub const FEEDBACK_PLACEHOLDERS: &[&str] = &["article", "title", "helpful"];

/// The `ticket:` section as written in `lotse.yaml`.
#[derive(Debug, Clone, Deserialize)]
pub struct TicketSettings {
    /// The helpdesk's address: tickets open as a prefilled e-mail in the teacher's mail app.
    #[serde(default)]
    pub email: Option<String>,
    /// Instead of `email`: the ticket system's new-ticket address with placeholders such as `{subject}`.
    #[serde(default)]
    pub url: Option<String>,
    /// The subject line's template; the default names the platform and the teacher's summary.
    #[serde(default)]
    pub subject: Option<String>,
    /// Per platform id, another `email` or `url`: iPad problems to the MDM team, and so on.
    #[serde(default)]
    pub routes: BTreeMap<String, TicketChannel>,
    /// Which fields the form asks for, in order, each `required` or `optional`.
    #[serde(default)]
    pub fields: Mapping,
    /// A free text shown above the form, such as opening hours or the phone number for emergencies.
    #[serde(default)]
    pub help: String,
    /// Called (GET, no cookies) when a teacher answers "Hat diese Anleitung geholfen?"; absent: nothing is sent.
    #[serde(default)]
    pub feedback_url: Option<String>,
}

/// One way to the helpdesk: an e-mail address or a URL template, never both.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct TicketChannel {
    /// Opens the mail app with subject and body filled in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Opens the ticket system's form; placeholders are replaced by the URL-encoded inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One field of the form, for the templates.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TicketField {
    /// One of [`TICKET_FIELDS`]; names the input and its label string `ticket_field_<id>`.
    pub id: String,
    /// Whether the form refuses to send without it.
    pub required: bool,
}

/// The default subject: the platform (left out when the teacher picked none) and the summary.
pub const DEFAULT_SUBJECT: &str = "{platform}: {summary}";

impl TicketSettings {
    /// The default channel.
    pub fn channel(&self) -> TicketChannel {
        TicketChannel { email: self.email.clone(), url: self.url.clone() }
    }

    /// The fields in the order the portal listed them; unknown ones were reported by [`Self::validate`].
    pub fn form_fields(&self) -> Vec<TicketField> {
        self.fields
            .iter()
            .filter_map(|(key, value)| {
                let id = key.as_str()?;
                TICKET_FIELDS.contains(&id).then(|| TicketField {
                    id: id.to_string(),
                    required: value.as_str().map(str::trim) == Some("required"),
                })
            })
            .collect()
    }

    /// Checks every address, template and field; `platforms` are the configured platform ids.
    pub(crate) fn validate(&self, source: &YamlSource, platforms: &[&str]) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        match (&self.email, &self.url) {
            (None, None) => problems.push(
                source
                    .error_at_key("ticket", "the ticket section names no helpdesk")
                    .help("add `email: schul-it@schule.example` or the `url:` of your ticket system's form"),
            ),
            (Some(_), Some(_)) => problems.push(
                source
                    .error_at_key("url", "the ticket section has both `email` and `url`")
                    .help("keep one: tickets go either by e-mail or to the ticket system's web form"),
            ),
            _ => {}
        }
        check_channel(source, &self.channel(), &mut problems);
        for (platform, channel) in &self.routes {
            if !platforms.contains(&platform.as_str()) {
                let mut problem =
                    source.error_at_key(platform, format!("ticket route for unknown platform `{platform}`"));
                problem = match did_you_mean(platform, platforms.iter().copied()) {
                    Some(close) => problem.help(format!("did you mean `{close}`?")),
                    None => problem.help(format!("routes are keyed by platform id: {}", platforms.join(", "))),
                };
                problems.push(problem);
            }
            if channel.email.is_some() == channel.url.is_some() {
                problems.push(
                    source
                        .error_at_key(
                            platform,
                            format!("the route for `{platform}` needs exactly one of `email` and `url`"),
                        )
                        .help(format!("for example `{platform}: {{ email: mdm@schule.example }}`")),
                );
            }
            check_channel(source, channel, &mut problems);
        }
        if let Some(subject) = &self.subject {
            check_placeholders(source, "subject", subject, TICKET_PLACEHOLDERS, &mut problems);
        }
        if let Some(url) = &self.feedback_url {
            if !(url.starts_with('/') || url.starts_with("https://") || url.starts_with("http://")) {
                problems.push(
                    source
                        .error_at_value("feedback_url", url, format!("feedback_url `{url}` is not a web address"))
                        .help("for example `feedback_url: /feedback?article={article}&helpful={helpful}`"),
                );
            }
            check_placeholders(source, "feedback_url", url, FEEDBACK_PLACEHOLDERS, &mut problems);
        }
        for (key, value) in &self.fields {
            let Some(id) = key.as_str() else { continue };
            if !TICKET_FIELDS.contains(&id) {
                let problem = source.error_at_key(id, format!("unknown ticket field `{id}`"));
                problems.push(match did_you_mean(id, TICKET_FIELDS.iter().copied()) {
                    Some(close) => problem.help(format!("did you mean `{close}`?")),
                    None => problem.help(format!("the form can ask for: {}", TICKET_FIELDS.join(", "))),
                });
            }
            if !matches!(value, Value::String(s) if s == "required" || s == "optional") {
                problems.push(
                    source
                        .error_at_key(id, format!("ticket field `{id}` must be `required` or `optional`"))
                        .help(format!("for example `{id}: required`")),
                );
            }
        }
        problems
    }
}

fn check_channel(source: &YamlSource, channel: &TicketChannel, problems: &mut Vec<Diagnostic>) {
    if let Some(address) = &channel.email {
        if !is_email_address(address) {
            problems.push(
                source
                    .error_at_value("email", address, format!("`{address}` is not an e-mail address"))
                    .help("write the helpdesk's address alone, such as `email: schul-it@landkreis.example`"),
            );
        }
    }
    if let Some(url) = &channel.url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            problems.push(
                source
                    .error_at_value("url", url, format!("`{url}` is not an absolute web address"))
                    .help("write the ticket system's full address, such as `https://helpdesk.example/new?title={subject}&body={body}`"),
            );
        }
        check_placeholders(source, "url", url, TICKET_PLACEHOLDERS, problems);
    }
}

/// Reports every `{name}` in `template` that is not one of `allowed`, and unbalanced braces.
fn check_placeholders(
    source: &YamlSource,
    key: &str,
    template: &str,
    allowed: &[&str],
    problems: &mut Vec<Diagnostic>,
) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            problems.push(
                source
                    .error_at_value(key, template, format!("`{key}` has a `{{` without its `}}`"))
                    .help(format!("placeholders look like `{{subject}}`; allowed: {}", allowed.join(", "))),
            );
            return;
        };
        let name = &after[..close];
        if !allowed.contains(&name) {
            let problem = source.error_at_value(key, template, format!("unknown placeholder `{{{name}}}` in `{key}`"));
            problems.push(match did_you_mean(name, allowed.iter().copied()) {
                Some(close) => problem.help(format!("did you mean `{{{close}}}`?")),
                None => problem.help(format!(
                    "allowed are: {}",
                    allowed.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(", ")
                )),
            });
        }
        rest = &after[close + 1..];
    }
}

/// A plain address such as `it@schule.example`: what a `mailto:` link can carry without surprises.
pub(crate) fn is_email_address(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else { return false };
    let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || "._+-".contains(c));
    plain(local)
        && plain(domain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_plain_email_addresses_only() {
        assert!(is_email_address("schul-it@landkreis.example"));
        assert!(is_email_address("it.support+ipad@schule.de"));
        for bad in
            ["schul-it", "a@b", "Schul-IT <it@schule.de>", "it@schule..de", "it @schule.de", "@schule.de", "it@.de"]
        {
            assert!(!is_email_address(bad), "{bad}");
        }
    }
}
