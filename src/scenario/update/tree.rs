//! A scenario's YAML as a tree of nodes with byte spans into its text, read
//! by an event parser that keeps positions (`saphyr-parser`), so that
//! `--update` can change one value in place and leave every other byte as the
//! author wrote it. The schema reader (`yaml_serde`) has already accepted the
//! text; this tree is only for finding where values are.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// A node of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A scalar: its value, how it was quoted, and its bytes.
    Scalar(Scalar),
    /// A mapping: its entries in order.
    Map(Collection<(Node, Node)>),
    /// A sequence: its items in order.
    Seq(Collection<Node>),
    /// An alias (`*name`): another node's value, not editable here.
    Alias(usize),
    /// A node with an anchor (`&name`) or a tag (`!!str`): other values may
    /// share it, or it reads other than it looks, so it is not edited.
    Marked(Box<Node>),
}

/// A scalar as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The value read.
    pub value: String,
    /// How it was written.
    pub quote: Quote,
    /// Its bytes in the text, quotes included.
    pub span: (usize, usize),
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    /// `10.00`
    Plain,
    /// `'10.00'`
    Single,
    /// `"10.00"`
    Double,
    /// A block scalar (`|`, `>`): not edited in place.
    Block,
}

/// A mapping or sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection<T> {
    /// Entries or items.
    pub items: Vec<T>,
    /// Written in flow style (`{...}`, `[...]`): the bytes of the opening and
    /// the closing bracket.
    pub flow: Option<(usize, usize)>,
    /// Where a block collection starts (its first key or `-`).
    pub start: usize,
}

impl Node {
    /// The byte after the last byte of the node's own text (not counting
    /// comments or line ends after it).
    pub fn end(&self) -> usize {
        match self {
            Node::Marked(inner) => inner.end(),
            Node::Scalar(s) => s.span.1,
            Node::Alias(at) => *at,
            Node::Map(c) => match c.flow {
                Some((_, close)) => close + 1,
                None => c
                    .items
                    .iter()
                    .map(|(k, v)| k.end().max(v.end()))
                    .max()
                    .unwrap_or(c.start),
            },
            Node::Seq(c) => match c.flow {
                Some((_, close)) => close + 1,
                None => c.items.iter().map(Node::end).max().unwrap_or(c.start),
            },
        }
    }

    /// The byte where the node starts.
    pub fn start(&self) -> usize {
        match self {
            Node::Marked(inner) => inner.start(),
            Node::Scalar(s) => s.span.0,
            Node::Alias(at) => *at,
            Node::Map(c) => c.flow.map_or(c.start, |(open, _)| open),
            Node::Seq(c) => c.flow.map_or(c.start, |(open, _)| open),
        }
    }

    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The entry of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<&(Node, Node)> {
        match self {
            Node::Map(map) => map
                .items
                .iter()
                .find(|(k, _)| matches!(k, Node::Scalar(s) if s.value == key)),
            _ => None,
        }
    }
}

/// Reads `text` into its one document's root node; why not, with a line
/// and column, when the event parser refuses it or it holds several
/// documents.
pub fn parse(text: &str) -> Result<Node, String> {
    let offsets = ByteOffsets::new(text);
    let mut failure = None;
    let mut events = Parser::new_from_str(text).map_while(|event| match event {
        Ok((event, span)) => Some(Some((event, offsets.span(span), span))),
        Err(error) => {
            failure = Some(error);
            None
        }
    });
    let mut root = None;
    let refused = |failure: Option<saphyr_parser::ScanError>| match failure {
        Some(error) => {
            let at = error.marker();
            let line = text.lines().nth(at.line().saturating_sub(1)).unwrap_or("");
            let tab = if line.contains('\t') {
                " (a tab on this line: YAML separates with spaces)"
            } else {
                ""
            };
            format!(
                "its YAML could not be located value by value at line {} column {}: {}{tab}",
                at.line(),
                at.col() + 1,
                error.info()
            )
        }
        None => "its YAML could not be located value by value".to_string(),
    };
    loop {
        let Some(Some((event, _, _))) = events.next() else {
            drop(events);
            return Err(refused(failure));
        };
        match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::DocumentEnd | Event::Nothing => {}
            Event::StreamEnd => {
                return root.ok_or_else(|| "it holds no YAML document".to_string());
            }
            _ if root.is_some() => return Err("it holds several YAML documents".into()),
            other => match (Builder { text }).node(other, &mut events) {
                Some(node) => root = Some(node),
                None => {
                    drop(events);
                    return Err(refused(failure));
                }
            },
        }
    }
}

type Item<'a> = Option<(Event<'a>, (usize, usize), Span)>;

struct Builder<'t> {
    text: &'t str,
}

impl Builder<'_> {
    /// The node that `first` opens; for a collection, reads to its end.
    fn node<'a>(
        &self,
        first: Event<'a>,
        events: &mut impl Iterator<Item = Item<'a>>,
    ) -> Option<Node> {
        self.node_at(first, None, events)
    }

    fn node_at<'a>(
        &self,
        first: Event<'a>,
        span: Option<(usize, usize)>,
        events: &mut impl Iterator<Item = Item<'a>>,
    ) -> Option<Node> {
        let (start, end) = span.unwrap_or((0, 0));
        let marked = match &first {
            Event::Scalar(_, _, anchor, tag) => *anchor != 0 || tag.is_some(),
            Event::MappingStart(anchor, tag) | Event::SequenceStart(anchor, tag) => {
                *anchor != 0 || tag.is_some()
            }
            _ => false,
        };
        let node = self.unmarked(first, start, end, events)?;
        Some(if marked {
            Node::Marked(Box::new(node))
        } else {
            node
        })
    }

    fn unmarked<'a>(
        &self,
        first: Event<'a>,
        start: usize,
        end: usize,
        events: &mut impl Iterator<Item = Item<'a>>,
    ) -> Option<Node> {
        match first {
            Event::Scalar(value, style, _, _) => Some(Node::Scalar(self.scalar(
                value.into_owned(),
                style,
                start,
                end,
            )?)),
            Event::Alias(_) => Some(Node::Alias(start)),
            Event::MappingStart(..) => {
                let flow = self.text.as_bytes().get(start) == Some(&b'{');
                let mut items = Vec::new();
                loop {
                    let (event, span, _) = events.next()??;
                    if let Event::MappingEnd = event {
                        return Some(Node::Map(Collection {
                            items,
                            flow: flow.then_some((start, span.0)),
                            start,
                        }));
                    }
                    let key = self.node_at(event, Some(span), events)?;
                    let (event, span, _) = events.next()??;
                    let value = self.node_at(event, Some(span), events)?;
                    items.push((key, value));
                }
            }
            Event::SequenceStart(..) => {
                let flow = self.text.as_bytes().get(start) == Some(&b'[');
                let mut items = Vec::new();
                loop {
                    let (event, span, _) = events.next()??;
                    if let Event::SequenceEnd = event {
                        return Some(Node::Seq(Collection {
                            items,
                            flow: flow.then_some((start, span.0)),
                            start,
                        }));
                    }
                    items.push(self.node_at(event, Some(span), events)?);
                }
            }
            _ => None,
        }
    }

    /// A scalar's exact bytes. The parser's end of a quoted scalar may run on
    /// over spaces and a comment, so the closing quote is found here; a plain
    /// scalar must read as its value, or it is not one this tree edits.
    fn scalar(
        &self,
        value: String,
        style: ScalarStyle,
        start: usize,
        end: usize,
    ) -> Option<Scalar> {
        let rest = self.text.get(start..)?;
        let (quote, end) = match style {
            ScalarStyle::Plain => {
                let written = self.text.get(start..end.max(start))?;
                let cut = written.find(" #").unwrap_or(written.len());
                let written = written[..cut].trim_end();
                let quote = if written == value {
                    Quote::Plain
                } else {
                    Quote::Block
                };
                (quote, start + written.len())
            }
            ScalarStyle::SingleQuoted => {
                let mut close = None;
                let mut chars = rest.char_indices().skip(1).peekable();
                while let Some((i, c)) = chars.next() {
                    if c == '\'' {
                        if chars.peek().map(|(_, c)| *c) == Some('\'') {
                            chars.next();
                        } else {
                            close = Some(i);
                            break;
                        }
                    }
                }
                (Quote::Single, start + close? + 1)
            }
            ScalarStyle::DoubleQuoted => {
                let mut close = None;
                let mut chars = rest.char_indices().skip(1);
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => {
                            close = Some(i);
                            break;
                        }
                        _ => {}
                    }
                }
                (Quote::Double, start + close? + 1)
            }
            _ => (Quote::Block, end),
        };
        Some(Scalar {
            value,
            quote,
            span: (start, end),
        })
    }
}

/// Character indices (the parser's positions) to byte offsets.
struct ByteOffsets {
    /// The byte offset of each character; empty when the text is ASCII.
    bytes: Vec<usize>,
    len: usize,
}

impl ByteOffsets {
    fn new(text: &str) -> Self {
        let bytes = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().map(|(i, _)| i).collect()
        };
        ByteOffsets {
            bytes,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.bytes.is_empty() {
            char_index.min(self.len)
        } else {
            self.bytes.get(char_index).copied().unwrap_or(self.len)
        }
    }

    fn span(&self, span: Span) -> (usize, usize) {
        (self.byte(span.start.index()), self.byte(span.end.index()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar_text<'t>(text: &'t str, node: &Node) -> &'t str {
        match node {
            Node::Scalar(s) => &text[s.span.0..s.span.1],
            other => panic!("not a scalar: {other:?}"),
        }
    }

    #[test]
    fn scalars_span_their_own_bytes_only() {
        let text = "name: \"café é\"   # a comment\nsteps:\n  - expect: {paid: {card: '1.00'}, total: 2.00}  # c\n    x: y\n";
        let root = parse(text).unwrap();
        assert_eq!(scalar_text(text, root.get("name").unwrap()), "\"café é\"");
        let Some(Node::Seq(steps)) = root.get("steps") else {
            panic!("steps")
        };
        let expect = steps.items[0].get("expect").unwrap();
        let paid = expect.get("paid").unwrap();
        assert_eq!(scalar_text(text, paid.get("card").unwrap()), "'1.00'");
        assert_eq!(scalar_text(text, expect.get("total").unwrap()), "2.00");
        let Node::Map(map) = expect else { panic!() };
        let (open, close) = map.flow.unwrap();
        assert_eq!(&text[open..=close], "{paid: {card: '1.00'}, total: 2.00}");
        assert_eq!(scalar_text(text, steps.items[0].get("x").unwrap()), "y");
    }

    #[test]
    fn block_collections_end_at_their_last_value() {
        let text = "a:\n  b: 1\n  c: [x, y]\n\nd: 2\n";
        let root = parse(text).unwrap();
        let a = root.get("a").unwrap();
        assert_eq!(&text[a.start()..a.end()], "b: 1\n  c: [x, y]");
        assert!(matches!(root.get("d"), Some(Node::Scalar(s)) if s.quote == Quote::Plain));
    }

    #[test]
    fn refuses_broken_text_and_several_documents() {
        let broken = parse("a: [").unwrap_err();
        assert!(broken.contains("line"), "{broken}");
        assert!(parse("a: 1\n---\nb: 2\n").unwrap_err().contains("several"));
        let tab = parse("a:\t1\n").err().unwrap_or_default();
        assert!(tab.is_empty() || tab.contains("tab"), "{tab}");
        let marked = parse("a: &x 1\nb: !!str 2\nc: *x\n").unwrap();
        assert!(matches!(marked.get("a"), Some(Node::Marked(_))));
        assert!(matches!(marked.get("b"), Some(Node::Marked(_))));
        assert!(matches!(marked.get("c"), Some(Node::Alias(_))));
    }

    #[test]
    fn escapes_do_not_end_a_quoted_scalar() {
        let text = "a: \"x\\\"y\" # \"\nb: 'it''s' # '\n";
        let root = parse(text).unwrap();
        assert_eq!(scalar_text(text, root.get("a").unwrap()), "\"x\\\"y\"");
        assert_eq!(scalar_text(text, root.get("b").unwrap()), "'it''s'");
    }
}
