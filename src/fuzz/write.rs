//! A counterexample written as a scenario file that `promosim run` replays:
//! the session serialized by the scenario format's own writer, with comments
//! that say where it came from and which step breaks.

use std::path::{Component, Path, PathBuf};

use super::session::{Broken, Session};
use crate::model::Model;
use crate::scenario::schema::to_yaml;

/// The scenario text for a counterexample. `rules` is the path to write in
/// `rules:` (relative to the scenario file), or `None` for the built-in rules.
pub fn scenario_text(
    model: &Model,
    session: &Session,
    broken: &Broken,
    seed: u64,
    rules: Option<&str>,
) -> Result<String, serde_yaml::Error> {
    let mut file = session.clone();
    file.name = format!("fuzz: {} (seed {seed})", broken.property);
    file.rules = rules.map(|r| r.replace('\\', "/"));
    let yaml = to_yaml(model, &file)?;
    let mut out = format!(
        "# Found by `promosim fuzz --seed {seed}`, then shrunk.\n\
         # {} breaks at step {}: {}\n\
         # `promosim run` checks invariants and assertions after every step, so this\n\
         # file fails until the rules (or the engine) are fixed. Then keep it, with the\n\
         # expectations you want, as a regression scenario.\n",
        broken.property,
        broken.step,
        broken.message.replace('\n', " ")
    );
    // Mark the breaking step: steps are the top-level list items after `steps:`.
    let mut in_steps = false;
    let mut number = 0;
    for line in yaml.lines() {
        if line.starts_with("steps:") {
            in_steps = true;
        } else if in_steps && line.starts_with("- ") {
            number += 1;
            if number == broken.step {
                out.push_str(&format!("# breaks {} here\n", broken.property));
            }
        } else if !line.starts_with(' ') && !line.starts_with('-') {
            in_steps = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    Ok(out)
}

/// `path` made absolute with its links resolved, as far as it exists: the
/// output directory is created only when the counterexample is written.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = std::fs::canonicalize(existing) {
            return rest
                .iter()
                .rev()
                .fold(canonical, |path, part| path.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// `target` relative to the directory `from` (both made absolute first), for
/// the `rules:` line of a written scenario.
pub fn relative_path(target: &Path, from: &Path) -> PathBuf {
    let target = resolved(target);
    let from = resolved(from);
    let target_parts: Vec<Component> = target.components().collect();
    let from_parts: Vec<Component> = from.components().collect();
    let common = target_parts
        .iter()
        .zip(&from_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return target;
    }
    let mut relative = PathBuf::new();
    for _ in common..from_parts.len() {
        relative.push("..");
    }
    for part in &target_parts[common..] {
        relative.push(part.as_os_str());
    }
    relative
}
