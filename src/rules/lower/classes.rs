//! Declared tags, discount classes (built-in and the file's own, with their
//! policy) and `separate` statements.

use std::collections::HashMap;

use super::Lowering;
use crate::diagnostic::suggest;
use crate::model::discount::{built_in_classes, BUILT_IN_CLASSES};
use crate::model::{ClassId, ClassPolicy, Span};
use crate::rules::problem::RulesProblem;
use crate::rules::syntax::{Statement, Word};

impl Lowering {
    /// `tag NAME "description"`: declared tags come first, in file order.
    pub(super) fn lower_tags(&mut self, statements: &[Statement]) {
        for statement in statements {
            let Statement::Tag { name, description } = statement else {
                continue;
            };
            if self.tag_index.contains_key(&name.text) {
                self.problem(
                    RulesProblem::DuplicateName,
                    name.span,
                    format!("tag `{}` is declared twice", name.text),
                    "declared again here",
                );
                continue;
            }
            self.intern_tag(name, description.clone(), true);
        }
    }

    /// `class NAME "description" { POLICY }`: the built-in classes first,
    /// then the file's own; a built-in class may be declared to give it a
    /// description or a policy.
    pub(super) fn lower_classes(&mut self, statements: &[Statement]) {
        self.classes = built_in_classes();
        self.class_spans = vec![Span::default(); self.classes.len()];
        self.class_index = self
            .classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect();
        for statement in statements {
            let Statement::Class {
                name,
                description,
                policies,
            } = statement
            else {
                continue;
            };
            let id = match self.class_index.get(&name.text) {
                Some(id) if self.classes[*id].declared => {
                    self.problem(
                        RulesProblem::DuplicateName,
                        name.span,
                        format!("class `{}` is declared twice", name.text),
                        "declared again here",
                    );
                    continue;
                }
                Some(id) => *id,
                None => {
                    let id = self.classes.len();
                    self.classes.push(crate::model::Class {
                        name: name.text.clone(),
                        description: None,
                        policy: ClassPolicy::All,
                        declared: true,
                    });
                    self.class_spans.push(name.span);
                    self.class_index.insert(name.text.clone(), id);
                    id
                }
            };
            self.classes[id].declared = true;
            self.classes[id].description = description.clone();
            self.class_spans[id] = name.span;
            // The words between the braces are one policy (`best per item`);
            // read together, a slip such as `best per items` is one unknown
            // policy with a suggestion, not several.
            let joined = match (policies.first(), policies.last()) {
                (Some(first), Some(last)) => vec![Word {
                    text: policies
                        .iter()
                        .map(|w| w.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    span: Span::new(first.span.start, last.span.end),
                }],
                _ => Vec::new(),
            };
            for policy in &joined {
                match ClassPolicy::ALL.iter().find(|(_, w)| *w == policy.text) {
                    Some((p, _)) => self.classes[id].policy = *p,
                    None => self.unknown_choice(
                        policy,
                        "class policy",
                        ClassPolicy::ALL.iter().map(|(_, w)| *w),
                    ),
                }
            }
        }
    }

    /// A class named in a promo or a `separate`, or a located problem.
    pub(super) fn resolve_class(&mut self, name: &Word) -> Option<ClassId> {
        if let Some(id) = self.class_index.get(&name.text) {
            return Some(*id);
        }
        let known: Vec<String> = self.classes.iter().map(|c| c.name.clone()).collect();
        let hint = suggest(&name.text, known.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| {
                format!(
                    "declare it with `class {}`; built in: {}",
                    name.text,
                    BUILT_IN_CLASSES.join(", ")
                )
            });
        self.problem_with_help(
            RulesProblem::UnknownClass,
            name.span,
            format!("unknown discount class `{}`", name.text),
            "not a class",
            hint,
        );
        None
    }

    /// `separate A, B, ...`.
    pub(super) fn lower_separations(&mut self, statements: &[Statement]) -> Vec<Vec<ClassId>> {
        let mut separations = Vec::new();
        for statement in statements {
            let Statement::Separate { classes, .. } = statement else {
                continue;
            };
            let mut group: Vec<ClassId> = Vec::new();
            let mut seen: HashMap<ClassId, ()> = HashMap::new();
            for name in classes {
                let Some(id) = self.resolve_class(name) else {
                    continue;
                };
                if seen.insert(id, ()).is_some() {
                    self.problem(
                        RulesProblem::DuplicateName,
                        name.span,
                        format!("class `{}` is listed twice", name.text),
                        "listed again",
                    );
                    continue;
                }
                group.push(id);
            }
            separations.push(group);
        }
        separations
    }

    /// A word that is not one of `choices`, with did-you-mean.
    pub(super) fn unknown_choice<'a>(
        &mut self,
        word: &Word,
        what: &str,
        choices: impl Iterator<Item = &'a str> + Clone,
    ) {
        let list: Vec<&str> = choices.clone().collect();
        let hint = suggest(&word.text, choices)
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| format!("use one of: {}", list.join(", ")));
        self.problem_with_help(
            RulesProblem::UnknownChoice,
            word.span,
            format!(
                "`{}` is not a {what} (one of: {})",
                word.text,
                list.join(", ")
            ),
            "not one of the choices",
            hint,
        );
    }
}
