//! Guided troubleshooting: a yes/no flow written in Markdown, checked and rendered as a nested list.
//!
//! A technician writes the flow in a fenced block whose language is `ablauf` (or `flow`):
//!
//! ```text
//! 1. Ist das Display eingeschaltet?
//!    Die Lampe am Display leuchtet weiß oder blau.
//!    - Ja: Schritt 2
//!    - Nein: Schritt 3
//! 2. Schalten Sie das Display mit der Fernbedienung ein. Zeigt es jetzt ein Bild?
//!    - Ja: Gelöst
//!    - Nein: Problem melden
//! ```
//!
//! Every step is a numbered question with a "Ja" and a "Nein" answer; an answer leads to another
//! step, to `Gelöst` (the fix worked) or to `Problem melden` (the ticket form, with the steps
//! tried). The markdown stage hands the block to [`parse`], reports what [`validate`] finds and
//! writes [`render`]'s HTML: without JavaScript it is the whole flow as a nested list, and
//! `lotse-flow.js` turns it into one step at a time.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::config::Language;
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::html::escape_html;

/// The languages of a fenced block that holds a flow.
pub const FLOW_LANGUAGES: &[&str] = &["ablauf", "flow"];

/// Where an answer leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Another step, by its number.
    Step(u32),
    /// The fix worked: the flow ends happily.
    Solved,
    /// Nothing helped: the flow ends at the ticket form.
    Report,
}

/// One answer of a step, as written.
#[derive(Debug, Clone)]
pub struct Answer {
    pub target: Target,
    /// Byte offset of the answer line in the article's source, for diagnostics.
    pub offset: usize,
}

/// One question of a flow.
#[derive(Debug, Clone)]
pub struct Step {
    /// The number the technician wrote; it names the step's anchor (`#schritt-4`).
    pub number: u32,
    /// Byte offset of the step's line in the article's source.
    pub offset: usize,
    /// The question, inline Markdown.
    pub question: String,
    /// Byte offset of the question text in the article's source.
    pub question_offset: usize,
    /// Explanation lines under the question, dedented Markdown; may be empty.
    pub detail: String,
    /// Byte offset in the source of each line of `detail`.
    pub detail_offsets: Vec<usize>,
    pub yes: Option<Answer>,
    pub no: Option<Answer>,
}

/// A parsed flow: its steps in the order written; the first one is where the flow starts.
#[derive(Debug, Clone, Default)]
pub struct Flow {
    pub steps: Vec<Step>,
    /// Byte offset of the fence line, for problems of the flow as a whole.
    pub offset: usize,
}

/// The words of the flow syntax and of the rendered flow in one language.
pub struct Labels {
    pub yes: &'static str,
    pub no: &'static str,
    pub step: &'static str,
    /// The anchor prefix of a step: `schritt` gives `#schritt-4`.
    pub anchor: &'static str,
    pub report: &'static str,
    pub flow: &'static str,
    pub back: &'static str,
    pub path: &'static str,
    pub solved_text: &'static str,
    pub report_text: &'static str,
    pub no_ticket_text: &'static str,
    pub ticket_intro: &'static str,
    pub restart: &'static str,
}

/// The labels of `language`.
pub fn labels(language: Language) -> Labels {
    match language {
        Language::De => Labels {
            yes: "Ja",
            no: "Nein",
            step: "Schritt",
            anchor: "schritt",
            report: "Problem melden",
            flow: "Schritt für Schritt",
            back: "Zurück",
            path: "Bisher beantwortet",
            solved_text: "Prima, das Problem ist gelöst.",
            report_text: "Diese Schritte haben nicht geholfen. Melden Sie das Problem: Die Schritte und Ihre Antworten stehen dann schon in der Meldung.",
            no_ticket_text: "Diese Schritte haben nicht geholfen. Bitte wenden Sie sich an die IT-Betreuung Ihrer Schule.",
            ticket_intro: "Diese Schritte habe ich schon versucht",
            restart: "Von vorn beginnen",
        },
        Language::En => Labels {
            yes: "Yes",
            no: "No",
            step: "Step",
            anchor: "step",
            report: "Report a problem",
            flow: "Step by step",
            back: "Back",
            path: "Answered so far",
            solved_text: "Great, the problem is solved.",
            report_text: "These steps did not help. Report the problem: the steps and your answers are already in the report.",
            no_ticket_text: "These steps did not help. Please contact your school's IT support.",
            ticket_intro: "Steps I have already tried",
            restart: "Start again",
        },
    }
}

/// `12. Frage?` at the start of a line: a step.
static STEP_LINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d{1,4})[.)]\s+(\S.*)$").expect("valid regex"));

/// `- Ja: Schritt 2` indented under a step: an answer.
static ANSWER_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s+[-*+]\s+([^:→]+?)\s*(?::|→|->)\s*(.*)$").expect("valid regex"));

/// `Schritt 4`, `→ Schritt 4`, `weiter mit Schritt 4`: a jump.
static STEP_TARGET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:→\s*|->\s*|weiter mit\s+|go to\s+)?(?:schritt|step)\s+(\d{1,4})\.?$").expect("valid regex")
});

const SYNTAX_HELP: &str =
    "a flow is a list of steps: `1. Frage?`, then indented `- Ja: Schritt 2` and `- Nein: Gelöst` or `- Nein: Problem melden`";

/// What an answer line's text means; `None` for anything else.
fn parse_target(text: &str) -> Option<Target> {
    let text = text.trim().trim_end_matches('.');
    if let Some(caps) = STEP_TARGET.captures(text) {
        return caps[1].parse().ok().map(Target::Step);
    }
    let plain = text.trim_start_matches("→").trim_start_matches("->").trim().to_lowercase();
    match plain.as_str() {
        "gelöst" | "geloest" | "solved" => Some(Target::Solved),
        "problem melden" | "report a problem" | "report" => Some(Target::Report),
        _ => None,
    }
}

/// Whether an answer label means yes (`Some(true)`), no (`Some(false)`) or neither.
fn answer_kind(label: &str) -> Option<bool> {
    match label.trim().to_lowercase().as_str() {
        "ja" | "yes" => Some(true),
        "nein" | "no" => Some(false),
        _ => None,
    }
}

/// Parses a flow block. `block` is the fenced block's text and `line_offsets[k]` the byte offset in
/// `source` of its line `k`; problems are reported against `path` at those lines.
pub fn parse(
    block: &str,
    line_offsets: &[usize],
    fence_offset: usize,
    path: &Path,
    source: &str,
) -> (Flow, Vec<Diagnostic>) {
    let mut flow = Flow { steps: Vec::new(), offset: fence_offset };
    let mut problems = Vec::new();
    let error = |message: String, offset: usize| Diagnostic::error(path, message).at_offset(source, offset);
    for (k, line) in block.lines().enumerate() {
        let offset = line_offsets.get(k).copied().unwrap_or(fence_offset);
        let indent = line.len() - line.trim_start().len();
        if line.trim().is_empty() {
            if let Some(step) = flow.steps.last_mut() {
                if !step.detail.is_empty() {
                    step.detail.push('\n');
                    step.detail_offsets.push(offset);
                }
            }
            continue;
        }
        if indent == 0 {
            let Some(caps) = STEP_LINE.captures(line) else {
                problems.push(
                    error(format!("`{}` is not a step of the flow", line.trim()), offset)
                        .span(line.chars().count())
                        .help(SYNTAX_HELP),
                );
                continue;
            };
            let number: u32 = caps[1].parse().unwrap_or(0);
            let question_at = caps.get(2).map_or(0, |m| m.start());
            if let Some(first) = flow.steps.iter().find(|s| s.number == number) {
                let first_line = crate::diagnostics::line_column(source, first.offset).0;
                problems.push(
                    error(format!("step {number} is written twice"), offset).help(format!(
                        "step {number} is on line {first_line} already; give this one a number of its own"
                    )),
                );
            }
            flow.steps.push(Step {
                number,
                offset,
                question: caps[2].trim().to_string(),
                question_offset: offset + question_at,
                detail: String::new(),
                detail_offsets: Vec::new(),
                yes: None,
                no: None,
            });
            continue;
        }
        let Some(step) = flow.steps.last_mut() else {
            problems.push(
                error("the flow must start with a step such as `1. Ist das Display eingeschaltet?`".into(), offset)
                    .help(SYNTAX_HELP),
            );
            continue;
        };
        let captures = ANSWER_LINE.captures(line);
        if let Some(caps) = captures.as_ref().filter(|c| answer_kind(&c[1]).is_none() && parse_target(&c[2]).is_some())
        {
            // `- Jaa: Schritt 2` leads somewhere, so it was meant as an answer.
            let d = error(format!("`{}` is not an answer", caps[1].trim()), offset).span(line.trim().chars().count());
            problems.push(match did_you_mean(caps[1].trim(), ["Ja", "Nein"]) {
                Some(best) => {
                    d.help(format!("did you mean `{best}`? Every step has one `- Ja:` and one `- Nein:` line"))
                }
                None => d.help("every step has one `- Ja:` and one `- Nein:` line"),
            });
            continue;
        }
        let answer = captures.and_then(|caps| Some((answer_kind(&caps[1])?, caps[2].to_string())));
        let Some((yes, target_text)) = answer else {
            // A line of explanation under the question.
            step.detail.push_str(line.trim_start());
            step.detail.push('\n');
            step.detail_offsets.push(offset + indent);
            continue;
        };
        let label = if yes { "Ja" } else { "Nein" };
        let Some(target) = parse_target(&target_text) else {
            let d = error(format!("`{}` is not where an answer can lead", target_text.trim()), offset)
                .span(line.trim().chars().count());
            let known = ["Schritt 2", "Gelöst", "Problem melden"];
            problems.push(match did_you_mean(target_text.trim(), known) {
                Some(best) if best != "Schritt 2" => d.help(format!("did you mean `{best}`?")),
                _ => d.help(format!("write `- {label}: Schritt 4` for another step, `- {label}: Gelöst` when the fix worked, or `- {label}: Problem melden`")),
            });
            continue;
        };
        let slot = if yes { &mut step.yes } else { &mut step.no };
        if slot.is_some() {
            problems.push(
                error(format!("step {} has two `{label}` answers", step.number), offset)
                    .help("every step has one `Ja` and one `Nein`; split the question into two steps"),
            );
            continue;
        }
        *slot = Some(Answer { target, offset });
    }
    for step in &mut flow.steps {
        let trimmed = step.detail.trim_end().len();
        step.detail.truncate(trimmed);
        let lines = step.detail.lines().count();
        step.detail_offsets.truncate(lines);
    }
    (flow, problems)
}

/// Checks that the flow can be walked: every step answers Ja and Nein, every answer leads to a
/// step that exists, every step can be reached from the first, and no answer leads back.
pub fn validate(flow: &Flow, path: &Path, source: &str) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if flow.steps.is_empty() {
        problems
            .push(Diagnostic::error(path, "the flow has no steps").at_offset(source, flow.offset).help(SYNTAX_HELP));
        return problems;
    }
    let by_number: HashMap<u32, usize> = flow.steps.iter().enumerate().rev().map(|(i, s)| (s.number, i)).collect();
    let numbers: Vec<String> = flow.steps.iter().map(|s| s.number.to_string()).collect();
    for step in &flow.steps {
        for (label, answer) in [("Ja", &step.yes), ("Nein", &step.no)] {
            match answer {
                None => problems.push(
                    Diagnostic::error(path, format!("step {} has no `{label}` answer", step.number))
                        .at_offset(source, step.offset)
                        .help(format!(
                            "add an indented line `- {label}: Schritt …`, `- {label}: Gelöst` or `- {label}: Problem melden`, so that this branch ends somewhere"
                        )),
                ),
                Some(Answer { target: Target::Step(n), offset }) if !by_number.contains_key(n) => {
                    let d = Diagnostic::error(path, format!("dead link: the flow has no step {n}")).at_offset(source, *offset);
                    problems.push(match did_you_mean(&n.to_string(), numbers.iter().map(String::as_str)) {
                        Some(best) => d.help(format!("did you mean `Schritt {best}`? The flow has steps {}", numbers.join(", "))),
                        None => d.help(format!("the flow has steps {}", numbers.join(", "))),
                    });
                }
                Some(_) => {}
            }
        }
    }
    let next = |i: usize| -> Vec<(usize, usize)> {
        [&flow.steps[i].yes, &flow.steps[i].no]
            .into_iter()
            .flatten()
            .filter_map(|a| match a.target {
                Target::Step(n) => by_number.get(&n).map(|&j| (j, a.offset)),
                _ => None,
            })
            .collect()
    };
    // Depth-first from the first step: a step on the current path reached again is a loop.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut marks = vec![Mark::New; flow.steps.len()];
    let mut stack: Vec<(usize, Vec<(usize, usize)>)> = vec![(0, next(0))];
    marks[0] = Mark::OnPath;
    let mut loops = BTreeSet::new();
    while let Some((i, pending)) = stack.last_mut() {
        let i = *i;
        match pending.pop() {
            Some((j, offset)) => match marks[j] {
                Mark::New => {
                    marks[j] = Mark::OnPath;
                    stack.push((j, next(j)));
                }
                Mark::OnPath => {
                    loops.insert((offset, flow.steps[i].number, flow.steps[j].number));
                }
                Mark::Done => {}
            },
            None => {
                marks[i] = Mark::Done;
                stack.pop();
            }
        }
    }
    for (offset, from, to) in loops {
        problems.push(
            Diagnostic::error(path, format!("loop: step {from} leads back to step {to}"))
                .at_offset(source, offset)
                .help("a flow only goes forward: lead this answer to a later step, `Gelöst` or `Problem melden`"),
        );
    }
    for (i, step) in flow.steps.iter().enumerate() {
        if marks[i] == Mark::New {
            problems.push(
                Diagnostic::error(path, format!("step {} cannot be reached: no answer leads to it", step.number))
                    .at_offset(source, step.offset)
                    .help(format!(
                        "lead an answer of an earlier step to it (`- Nein: Schritt {}`), or delete it; the flow starts at step {}",
                        step.number, flow.steps[0].number
                    )),
            );
        }
    }
    problems
}

/// The anchor of step `number`, such as `schritt-4`.
pub fn step_id(labels: &Labels, number: u32) -> String {
    format!("{}-{number}", labels.anchor)
}

/// The flow as HTML: a nested list of every step with its answers, which reads on its own without
/// JavaScript; `lotse-flow.js` shows one step at a time. `markdown(text, offsets)` renders a
/// step's Markdown (checking its links); `ticket_href` is the ticket form's link for this
/// article, if the portal has one.
pub fn render(
    flow: &Flow,
    labels: &Labels,
    ticket_href: Option<&str>,
    mut markdown: impl FnMut(&str, &[usize]) -> String,
) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<section class=\"flow\" data-flow aria-label=\"{flow}\" data-label-yes=\"{yes}\" data-label-no=\"{no}\" data-label-step=\"{step}\" data-label-back=\"{back}\" data-label-path=\"{path}\" data-label-restart=\"{restart}\" data-ticket-intro=\"{intro}\"",
        flow = escape_html(labels.flow),
        yes = escape_html(labels.yes),
        no = escape_html(labels.no),
        step = escape_html(labels.step),
        back = escape_html(labels.back),
        path = escape_html(labels.path),
        restart = escape_html(labels.restart),
        intro = escape_html(labels.ticket_intro),
    );
    if let Some(href) = ticket_href {
        let _ = write!(html, " data-ticket=\"{}\"", escape_html(href));
    }
    html.push_str(">\n<ol class=\"flow-steps\">\n");
    for step in &flow.steps {
        let id = step_id(labels, step.number);
        let question = markdown(&step.question, &[step.question_offset]);
        let question = question.trim().trim_start_matches("<p>").trim_end_matches("</p>");
        let _ = write!(
            html,
            "<li class=\"flow-step\" id=\"{id}\" data-step=\"{id}\" tabindex=\"-1\">\n<p class=\"flow-question\"><a class=\"flow-number\" href=\"#{id}\">{} {}</a> <span class=\"flow-question-text\">{question}</span></p>\n",
            escape_html(labels.step),
            step.number,
        );
        if !step.detail.is_empty() {
            let _ =
                write!(html, "<div class=\"flow-detail\">\n{}</div>\n", markdown(&step.detail, &step.detail_offsets));
        }
        html.push_str("<ul class=\"flow-answers\">\n");
        for (kind, label, answer) in [("yes", labels.yes, &step.yes), ("no", labels.no, &step.no)] {
            let Some(answer) = answer else { continue };
            let label = escape_html(label);
            match answer.target {
                Target::Step(n) => {
                    let to = step_id(labels, n);
                    let _ = writeln!(
                        html,
                        "<li><a class=\"flow-answer\" data-answer=\"{kind}\" data-target=\"{to}\" href=\"#{to}\"><span class=\"flow-answer-label\">{label}</span><span class=\"flow-answer-then\">: {} {n}</span></a></li>",
                        escape_html(labels.step)
                    );
                }
                Target::Solved => {
                    let _ = writeln!(
                        html,
                        "<li class=\"flow-answer flow-answer-end\" data-answer=\"{kind}\" data-target=\"solved\"><span class=\"flow-answer-label\">{label}</span><span class=\"flow-answer-then\">: {}</span></li>",
                        escape_html(labels.solved_text)
                    );
                }
                Target::Report => match ticket_href {
                    Some(href) => {
                        let _ = writeln!(
                            html,
                            "<li><a class=\"flow-answer\" data-answer=\"{kind}\" data-target=\"report\" href=\"{}\"><span class=\"flow-answer-label\">{label}</span><span class=\"flow-answer-then\">: {}</span></a></li>",
                            escape_html(href),
                            escape_html(labels.report)
                        );
                    }
                    None => {
                        let _ = writeln!(
                            html,
                            "<li class=\"flow-answer flow-answer-end\" data-answer=\"{kind}\" data-target=\"report\"><span class=\"flow-answer-label\">{label}</span><span class=\"flow-answer-then\">: {}</span></li>",
                            escape_html(labels.no_ticket_text)
                        );
                    }
                },
            }
        }
        html.push_str("</ul>\n</li>\n");
    }
    html.push_str("</ol>\n");
    // The two ends, shown by the script when an answer leads there.
    let _ = writeln!(
        html,
        "<div class=\"flow-end flow-end-solved\" data-end=\"solved\" tabindex=\"-1\" hidden><p>{}</p></div>",
        escape_html(labels.solved_text)
    );
    let report = match ticket_href {
        Some(href) => format!(
            "<p>{}</p>\n<p><a class=\"button button-primary\" data-flow-report href=\"{}\">{}</a></p>",
            escape_html(labels.report_text),
            escape_html(href),
            escape_html(labels.report)
        ),
        None => format!("<p>{}</p>", escape_html(labels.no_ticket_text)),
    };
    let _ = writeln!(
        html,
        "<div class=\"flow-end flow-end-report\" data-end=\"report\" tabindex=\"-1\" hidden>\n{report}\n</div>"
    );
    html.push_str("</section>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses and validates `block` as if it stood in a file after a 3-line front matter and a
    /// fence line, so that the block's first line is line 5.
    fn check(block: &str) -> (Flow, Vec<(usize, String)>) {
        let source = format!("---\ntitle: T\n---\n```ablauf\n{block}```\n");
        let start = source.find("```ablauf\n").unwrap() + "```ablauf\n".len();
        let mut offsets = Vec::new();
        let mut at = start;
        for line in block.split_inclusive('\n') {
            offsets.push(at);
            at += line.len();
        }
        let path = Path::new("content/allgemein/a.md");
        let (flow, mut problems) = parse(block, &offsets, start - 10, path, &source);
        problems.extend(validate(&flow, path, &source));
        let found = problems.iter().map(|d| (d.line, d.message.clone())).collect();
        (flow, found)
    }

    const GOOD: &str = "1. Ist das Display an?\n   Die Lampe leuchtet.\n   - Ja: Schritt 2\n   - Nein: Schritt 3\n2. Richtiger Eingang?\n   - Ja: Problem melden\n   - Nein: Gelöst\n3. Eingeschaltet?\n   - Ja: Gelöst\n   - Nein: → Schritt 2\n";

    #[test]
    fn a_good_flow_has_no_problems() {
        let (flow, found) = check(GOOD);
        assert!(found.is_empty(), "{found:#?}");
        assert_eq!(flow.steps.len(), 3);
        assert_eq!(flow.steps[0].detail, "Die Lampe leuchtet.");
        assert_eq!(flow.steps[2].no.as_ref().unwrap().target, Target::Step(2));
        assert_eq!(flow.steps[1].yes.as_ref().unwrap().target, Target::Report);
    }

    #[test]
    fn a_misspelt_answer_is_named_with_the_right_word() {
        let (_, found) = check("1. Frage?\n   - Jaa: Gelöst\n   - Nein: Gelöst\n   - Hinweis: das steht nur da\n");
        assert_eq!(
            found,
            vec![(6, "`Jaa` is not an answer".to_string()), (5, "step 1 has no `Ja` answer".to_string())]
        );
    }

    #[test]
    fn a_missing_branch_is_reported_at_its_step() {
        let (_, found) = check("1. Frage?\n   - Ja: Gelöst\n");
        assert_eq!(found, vec![(5, "step 1 has no `Nein` answer".to_string())]);
    }

    #[test]
    fn an_unreachable_step_is_reported_at_its_line() {
        let (_, found) =
            check("1. A?\n   - Ja: Gelöst\n   - Nein: Problem melden\n2. B?\n   - Ja: Gelöst\n   - Nein: Gelöst\n");
        assert_eq!(found, vec![(8, "step 2 cannot be reached: no answer leads to it".to_string())]);
    }

    #[test]
    fn a_loop_is_reported_at_the_answer_that_goes_back() {
        let (_, found) =
            check("1. A?\n   - Ja: Schritt 2\n   - Nein: Gelöst\n2. B?\n   - Ja: Gelöst\n   - Nein: Schritt 1\n");
        assert_eq!(found, vec![(10, "loop: step 2 leads back to step 1".to_string())]);
    }

    #[test]
    fn a_step_pointing_at_itself_is_a_loop() {
        let (_, found) = check("1. A?\n   - Ja: Schritt 1\n   - Nein: Gelöst\n");
        assert_eq!(found, vec![(6, "loop: step 1 leads back to step 1".to_string())]);
    }

    #[test]
    fn a_dead_step_link_is_reported_at_its_line_with_the_steps_there_are() {
        let (_, found) = check("1. A?\n   - Ja: Schritt 9\n   - Nein: Gelöst\n");
        assert_eq!(found, vec![(6, "dead link: the flow has no step 9".to_string())]);
    }

    #[test]
    fn all_problems_are_reported_at_once() {
        let (_, found) =
            check("1. A?\n   - Ja: Schritt 3\n3. B?\n   - Ja: Schritt 1\n   - Nein: Gelöscht\nText\n4. C?\n");
        let lines: Vec<usize> = found.iter().map(|(l, _)| *l).collect();
        for expected in [
            (9, "`Gelöscht` is not where an answer can lead"),
            (10, "`Text` is not a step of the flow"),
            (5, "step 1 has no `Nein` answer"),
            (7, "step 3 has no `Nein` answer"),
            (11, "step 4 has no `Ja` answer"),
            (8, "loop: step 3 leads back to step 1"),
            (11, "step 4 cannot be reached: no answer leads to it"),
        ] {
            assert!(found.contains(&(expected.0, expected.1.to_string())), "missing {expected:?} in {found:#?}");
        }
        assert_eq!(lines.len(), 8, "{found:#?}");
    }

    #[test]
    fn english_portals_read_english_answers_and_name_steps_step_n() {
        let (flow, found) = check("1. Is the display on?\n   - Yes: Step 2\n   - No: Report a problem\n2. Is the input right?\n   - Yes: Solved\n   - No: Report a problem\n");
        assert!(found.is_empty(), "{found:#?}");
        let html = render(&flow, &labels(Language::En), None, |text, _| escape_html(text));
        assert!(html.contains("id=\"step-2\"") && html.contains("href=\"#step-2\""), "{html}");
        assert!(html.contains("Please contact your school&#39;s IT support."), "without a ticket form: {html}");
    }

    #[test]
    fn the_html_is_a_nested_list_with_a_link_per_step_and_escaped_text() {
        let (flow, _) = check(GOOD);
        let html = render(&flow, &labels(Language::De), Some("../../problem-melden/?article=a"), |text, _| {
            format!("<p>{}</p>", escape_html(text))
        });
        assert!(html.contains("<li class=\"flow-step\" id=\"schritt-2\""), "{html}");
        assert!(html.contains("href=\"#schritt-3\""), "{html}");
        assert!(html.contains("href=\"../../problem-melden/?article=a\""), "{html}");
        assert!(html.contains("<ul class=\"flow-answers\">"), "{html}");
        assert!(html.contains("Die Lampe leuchtet."), "{html}");
        let (flow, _) = check("1. <script>x</script>?\n   - Ja: Gelöst\n   - Nein: Gelöst\n");
        let html = render(&flow, &labels(Language::De), None, |text, _| escape_html(text));
        assert!(!html.contains("<script>"), "{html}");
    }
}
