//! The re-ranking signals, each in its own module: factors applied to the text-match score of the
//! best candidates ([`crate::ranking::RankingWeights::min_candidates`]), named in explanations by
//! [`super::Rule`].
//!
//! - [`coverage`]: the share of the query's concepts an article matches ([`super::Rule::Coverage`]);
//! - [`whole_title`]: the title holds every typed word ([`super::Rule::WholeTitle`]);
//! - [`troubleshooting`]: a complaint meets a troubleshooting article ([`super::Rule::Troubleshooting`]).

pub(in crate::engine) mod coverage;
pub(in crate::engine) mod troubleshooting;
pub(in crate::engine) mod whole_title;
