//! Chinese all the way (issue 15): `check --lang zh -v` on failing photos prints no English
//! words except check ids, file names, the program's name and command, and unit symbols.

use crate::common::photocheck;

#[test]
fn chinese_reports_have_no_english_words() {
    let _machine = crate::common::share();
    let photos = [
        "fixtures/made/astronaut_head_small.jpg",
        "fixtures/made/astronaut_face_only.jpg",
        "fixtures/made/astronaut_grey_backdrop.jpg",
        "fixtures/appearance/astronaut_upside_down.jpg",
        "fixtures/appearance/astronaut_sunglasses.jpg",
        "fixtures/appearance/astronaut_transparent.png",
        "README.md",
        "no-such-photo.jpg",
    ];
    for spec in [
        "cn-driving-licence",
        "cn-driving-licence-digital",
        "cn-passport",
    ] {
        let out = photocheck()
            .args(["check", "--lang", "zh", "-v", "--spec", spec])
            .args(photos)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "an unreadable file is in the batch"
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("不合格") && text.contains("错误"), "{text}");
        for line in text.lines() {
            let mut rest = line.to_string();
            for p in photos {
                rest = rest.replace(p, "");
            }
            // The check id column of -v, and the command a person may run.
            let rest = rest
                .trim_start()
                .split_once("  ")
                .filter(|(tag, _)| !tag.contains(' ') && !tag.is_ascii())
                .map_or(rest.clone(), |(_, r)| {
                    r.trim_start()
                        .split_once(' ')
                        .filter(|(id, _)| id.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                        .map_or(r.to_string(), |(_, r)| r.to_string())
                })
                .replace("photocheck fix --background white", "")
                .replace("photocheck fix", "");
            let english: Vec<&str> = rest
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= 2 && w.chars().any(|c| c.is_ascii_lowercase()))
                .filter(|w| !matches!(*w, "photocheck" | "mm" | "px" | "dpi"))
                .collect();
            assert!(english.is_empty(), "{spec}: English {english:?} in: {line}");
        }
    }
}
