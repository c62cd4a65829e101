//! Byte offsets (what every span of promosim holds) ↔ LSP positions (0-based
//! line, and a character offset in UTF-16 code units: the protocol's default
//! encoding, the one every client supports).

use lsp_types::{Position, Range};

/// A text's line starts, computed once per version of a document.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// UTF-16 units before the text on its first line: 1 for a byte-order
    /// mark the editor holds but the text does not.
    shift: u32,
}

impl LineIndex {
    /// The index of `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            line_starts,
            shift: 0,
        }
    }

    /// The index of `text`, which the editor holds after a byte-order mark.
    pub fn after_bom(text: &str) -> Self {
        LineIndex {
            shift: 1,
            ..LineIndex::new(text)
        }
    }

    /// The position of byte `offset` (clamped to the text, and back to a
    /// character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_boundary(text, offset.min(text.len()));
        let line = self
            .line_starts
            .partition_point(|start| *start <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0).min(offset);
        let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
        let shift = if line == 0 { self.shift } else { 0 };
        Position::new(clamp_u32(line), clamp_u32(character).saturating_add(shift))
    }

    /// The range of bytes `start..end`.
    pub fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range::new(
            self.position(text, start),
            self.position(text, end.max(start)),
        )
    }

    /// The range of the whole text.
    pub fn whole(&self, text: &str) -> Range {
        self.range(text, 0, text.len())
    }

    /// The byte offset of `position`: a line past the end is the end of the
    /// text, a character past the end of its line is the line's end, and a
    /// character inside a surrogate pair is the character's start.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.line_starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self
            .line_starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |next| next.saturating_sub(1));
        let line = text.get(start..end.max(start)).unwrap_or("");
        let shift = if position.line == 0 { self.shift } else { 0 };
        let wanted = position.character.saturating_sub(shift) as usize;
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if c == '\r' && i + 1 == line.len() {
                return start + i;
            }
            let next = units + c.len_utf16();
            if next > wanted {
                return start + i;
            }
            units = next;
        }
        start + line.len()
    }
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn clamp_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_offsets_round_trip() {
        let text = "ab\ncd\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), Position::new(0, 0));
        assert_eq!(index.position(text, 4), Position::new(1, 1));
        assert_eq!(index.position(text, text.len()), Position::new(2, 0));
        for offset in 0..=text.len() {
            assert_eq!(index.offset(text, index.position(text, offset)), offset);
        }
    }

    #[test]
    fn characters_count_utf16_code_units() {
        // é is 2 bytes and 1 unit; 𝄞 is 4 bytes and 2 units (a surrogate pair).
        let text = "é𝄞x\ny";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x), Position::new(0, 3));
        assert_eq!(index.offset(text, Position::new(0, 3)), x);
        assert_eq!(index.offset(text, Position::new(0, 1)), "é".len());
        // Inside the surrogate pair: the start of the character.
        assert_eq!(index.offset(text, Position::new(0, 2)), "é".len());
        // Inside a multi-byte character: back to its start.
        assert_eq!(index.position(text, 1), Position::new(0, 0));
        assert_eq!(index.position(text, text.len()), Position::new(1, 1));
    }

    #[test]
    fn positions_past_the_end_clamp() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, Position::new(0, 99)), 2);
        assert_eq!(index.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(index.position(text, 999), Position::new(1, 2));
        assert_eq!(
            index.whole(text),
            Range::new(Position::new(0, 0), Position::new(1, 2))
        );
    }
}
