//! Typed problem kinds: every stable code promosim reports is a variant of one
//! enum per stage (input files, rules, lint findings, scenario loading, the
//! engine, the invariants), declared with [`problem_kinds!`] so that the code,
//! its title and its help line live in one place. [`crate::codes`] gathers them
//! into the catalogue behind `promosim explain-code` and the README's table.

/// What every problem kind can say about itself.
pub trait ProblemKind: Copy + 'static {
    /// Every kind of this stage, in declaration order.
    const ALL: &'static [Self];
    /// The stage's name as shown in the catalogue (`rules`, `scenario`...).
    const STAGE: &'static str;
    /// The stable code, e.g. `rules::unknown_wallet`. Tools may match on it;
    /// renaming one is a changelog entry.
    fn code(self) -> &'static str;
    /// What it means, in one sentence a newcomer understands.
    fn title(self) -> &'static str;
    /// How to fix it, in general (a diagnostic may give a more precise hint).
    fn help(self) -> &'static str;
}

/// Declares a problem-kind enum: each variant with its stable code, a title
/// and a help line, and its [`ProblemKind`](crate::problem::ProblemKind) impl.
///
/// ```ignore
/// problem_kinds! {
///     /// Problems of the rules language.
///     pub enum RulesProblem: "rules" {
///         /// A name that is not defined.
///         UnknownWallet = ("rules::unknown_wallet", "a wallet that is not defined", "define it"),
///     }
/// }
/// ```
macro_rules! problem_kinds {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident: $stage:literal {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = ($code:literal, $title:literal, $help:literal),
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )*
        }

        impl $crate::problem::ProblemKind for $name {
            const ALL: &'static [$name] = &[$($name::$variant,)*];
            const STAGE: &'static str = $stage;
            fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }
            fn title(self) -> &'static str {
                match self {
                    $($name::$variant => $title,)*
                }
            }
            fn help(self) -> &'static str {
                match self {
                    $($name::$variant => $help,)*
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::problem::ProblemKind::code(*self))
            }
        }
    };
}
