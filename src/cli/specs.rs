//! `photocheck specs`: the built-in specs, one short summary each, or one spec as TOML.

use std::process::ExitCode;

use clap::Subcommand;
use photocheck::Spec;

use super::fail_usage;

#[derive(Subcommand)]
pub(super) enum SpecsAction {
    /// Print a spec as TOML, ready to copy and edit.
    Show {
        /// Spec id or alias, or a spec file (printed with its `extends` resolved).
        id: String,
    },
}

pub(super) fn specs(action: Option<SpecsAction>) -> ExitCode {
    let text = match action {
        None => {
            let mut text = String::new();
            for s in Spec::presets() {
                text.push_str(&format!("{}  {}\n", s.id, s.name));
                if !s.aliases.is_empty() {
                    text.push_str(&format!("    aliases: {}\n", s.aliases.join(", ")));
                }
                for line in s.summary() {
                    text.push_str(&format!("    {line}\n"));
                }
            }
            text.push_str("\n`photocheck specs show ID` prints a spec as TOML; `--spec-file FILE` checks against your own.\n");
            text
        }
        Some(SpecsAction::Show { id }) => match Spec::resolve(&id) {
            Ok(s) => s.to_toml(),
            Err(e) => return fail_usage(e),
        },
    };
    super::print_stdout(&text)
}
