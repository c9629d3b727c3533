//! `photocheck specs`: the built-in specs, one short summary each, or one spec as TOML.

use std::process::ExitCode;

use clap::Subcommand;
use photocheck::Spec;

use super::{EXIT_PASS, fail_usage};

#[derive(Subcommand)]
pub(super) enum SpecsAction {
    /// Print a spec as TOML, ready to copy and edit.
    Show {
        /// Spec id or alias, or a spec file (printed with its `extends` resolved).
        id: String,
    },
}

pub(super) fn specs(action: Option<SpecsAction>) -> ExitCode {
    match action {
        None => {
            for s in Spec::presets() {
                println!("{}  {}", s.id, s.name);
                if !s.aliases.is_empty() {
                    println!("    aliases: {}", s.aliases.join(", "));
                }
                for line in s.summary() {
                    println!("    {line}");
                }
            }
            println!(
                "\n`photocheck specs show ID` prints a spec as TOML; `--spec-file FILE` checks against your own."
            );
            ExitCode::from(EXIT_PASS)
        }
        Some(SpecsAction::Show { id }) => match Spec::resolve(&id) {
            Ok(s) => {
                print!("{}", s.to_toml());
                ExitCode::from(EXIT_PASS)
            }
            Err(e) => fail_usage(e),
        },
    }
}
