//! Finding a spec by what a user typed: a preset's id or alias, or the path of a spec file.
//!
//! Every front end that takes a spec name from a person resolves it here, so that
//! `photocheck check --spec`, `photocheck specs show` and `photocheck serve --spec` accept the
//! same things and fail with the same messages.

use std::path::Path;

use super::Spec;
use crate::error::Result;

impl Spec {
    /// The spec that `name_or_path` names: a spec file if it is the path of an existing
    /// regular file (relative paths from the current directory), else a built-in preset by id
    /// or alias (`cn-driving-licence`, `小一寸`).
    ///
    /// A file is read with [`Spec::from_file`] (so it may `extends = "preset-id"`); a preset
    /// with [`Spec::preset`]. A file wins over a preset of the same name. Anything that is not
    /// an existing file, a missing `my-spec.toml` or a folder included, is taken as a preset id.
    ///
    /// Errors:
    /// - [`Error::Spec`](crate::Error::Spec) when no preset has that id or alias (the message
    ///   lists the known ids), or when the file is not a valid spec (the message names the
    ///   file, the line and the key);
    /// - [`Error::Io`](crate::Error::Io) when the file exists but cannot be read, and
    ///   [`Error::NotFound`](crate::Error::NotFound) when it disappears before it is read;
    /// - [`Error::TooLarge`](crate::Error::TooLarge) for a file over
    ///   [`MAX_FILE_BYTES`](crate::MAX_FILE_BYTES).
    ///
    /// ```
    /// use photocheck::Spec;
    ///
    /// let by_id = Spec::resolve("cn-driving-licence")?;
    /// let by_alias = Spec::resolve("小一寸")?;
    /// assert_eq!(by_id, by_alias);
    /// assert!(Spec::resolve("no-such-spec").is_err());
    /// # Ok::<(), photocheck::Error>(())
    /// ```
    pub fn resolve(name_or_path: &str) -> Result<Spec> {
        let path = Path::new(name_or_path);
        if path.is_file() {
            Spec::from_file(path)
        } else {
            Spec::preset(name_or_path)
        }
    }

    /// Whether `name` is this spec's id or one of its aliases: how a spec already loaded (the
    /// service's presets) is picked by name, without touching the file system.
    pub fn is_named(&self, name: &str) -> bool {
        self.id == name || self.aliases.iter().any(|a| a == name)
    }
}

#[cfg(test)]
mod tests {
    use crate::Error;
    use crate::spec::Spec;

    #[test]
    fn an_id_or_an_alias_names_a_preset() {
        for preset in Spec::presets() {
            assert_eq!(Spec::resolve(&preset.id).unwrap(), preset);
            assert!(preset.is_named(&preset.id));
            for alias in &preset.aliases {
                assert_eq!(Spec::resolve(alias).unwrap(), preset, "alias {alias}");
                assert!(preset.is_named(alias));
            }
        }
        let licence = Spec::resolve("小一寸").unwrap();
        assert_eq!(licence.id, "cn-driving-licence");
        assert!(!licence.is_named("cn-passport"));
        assert!(!licence.is_named(""));
    }

    #[test]
    fn an_unknown_name_is_a_spec_error_listing_the_known_ids() {
        let err = Spec::resolve("nope").unwrap_err();
        let Error::Spec(msg) = &err else {
            panic!("expected Error::Spec, got {err:?}");
        };
        assert!(msg.contains("unknown spec `nope`"), "{msg}");
        for preset in Spec::presets() {
            assert!(msg.contains(&preset.id), "{msg} lacks {}", preset.id);
        }
        // A path that does not exist, and a folder, are looked up as ids.
        for name in ["no/such/spec.toml", "src"] {
            let err = Spec::resolve(name).unwrap_err();
            assert!(
                matches!(&err, Error::Spec(m) if m.contains(&format!("unknown spec `{name}`"))),
                "{name}: {err:?}"
            );
        }
    }

    #[test]
    fn an_existing_file_is_read_as_a_spec_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mine.toml");
        std::fs::write(
            &file,
            "extends = \"cn-driving-licence\"\nid = \"mine\"\nname = \"Mine\"\n[rules.head_width]\nmin_mm = 14.5\nmax_mm = 16.0\n",
        )
        .unwrap();
        let spec = Spec::resolve(file.to_str().unwrap()).unwrap();
        assert_eq!(spec.id, "mine");
        assert_eq!(spec, Spec::from_file(&file).unwrap());
        let base = Spec::preset("cn-driving-licence").unwrap();
        assert_eq!(spec.photo, base.photo);
        assert_ne!(spec.rules, base.rules);
        // A file named like a preset is the file.
        let named = dir.path().join("cn-passport");
        std::fs::write(
            &named,
            "extends = \"cn-driving-licence\"\nid = \"not-the-passport\"\nname = \"x\"\n",
        )
        .unwrap();
        assert_eq!(
            Spec::resolve(named.to_str().unwrap()).unwrap().id,
            "not-the-passport"
        );
    }

    #[test]
    fn a_bad_spec_file_is_a_spec_error_naming_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(
            &file,
            "extends = \"cn-driving-licence\"\nid = \"bad\"\nname = \"bad\"\n[rules.head_width]\nmin_mm = 16.0\nmax_mm = 14.0\n",
        )
        .unwrap();
        let err = Spec::resolve(file.to_str().unwrap()).unwrap_err();
        let Error::Spec(msg) = &err else {
            panic!("expected Error::Spec, got {err:?}");
        };
        assert!(msg.contains("bad.toml") && msg.contains("line 5"), "{msg}");
    }
}
