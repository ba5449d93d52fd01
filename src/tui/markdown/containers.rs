//! The stack of block quotes, lists and list items that prefixes each line with its bars,
//! bullets or indentation.

use super::theme::MdTheme;
use super::wrap::{LineBuf, str_width};

const BULLETS: [&str; 3] = ["• ", "◦ ", "▪ "];
const QUOTE_BAR: &str = "│ ";
const QUOTE_BAR_WIDTH: usize = 2;

enum Container {
    Quote,
    List {
        next: Option<u64>,
    },
    Item {
        marker: String,
        indent: usize,
        /// The marker has not been drawn yet: the item's first line will carry it.
        pending: bool,
        /// The item holds paragraphs (a loose list): keep a blank line after it.
        loose: bool,
    },
}

/// The open container blocks, outermost first.
#[derive(Default)]
pub(super) struct Containers {
    stack: Vec<Container>,
}

impl Containers {
    pub fn push_quote(&mut self) {
        self.stack.push(Container::Quote);
    }

    /// Opens a list; `first` is the start number of an ordered list.
    pub fn push_list(&mut self, first: Option<u64>) {
        self.stack.push(Container::List { next: first });
    }

    /// Opens a list item with the next number or the bullet of its depth, or with `marker`
    /// (footnotes use "[label] ").
    pub fn push_item(&mut self, marker: Option<String>) {
        let depth = self
            .stack
            .iter()
            .filter(|c| matches!(c, Container::List { .. }))
            .count()
            .saturating_sub(1);
        let marker = match (marker, self.stack.last_mut()) {
            (Some(marker), _) => marker,
            (None, Some(Container::List { next: Some(n) })) => {
                let marker = format!("{n}. ");
                *n += 1;
                marker
            }
            (None, _) => BULLETS[depth % BULLETS.len()].to_owned(),
        };
        self.stack.push(Container::Item {
            indent: str_width(&marker),
            marker,
            pending: true,
            loose: false,
        });
    }

    /// Closes the innermost container (whatever it is: events arrive well nested).
    pub fn pop(&mut self) {
        self.stack.pop();
    }

    /// Closes the innermost list item; returns whether it was loose (held paragraphs).
    pub fn pop_item(&mut self) -> bool {
        matches!(self.stack.pop(), Some(Container::Item { loose: true, .. }))
    }

    /// Whether the innermost container is a list item whose marker is still to be drawn.
    pub fn item_marker_pending(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Container::Item { pending: true, .. })
        )
    }

    /// Notes that a paragraph starts directly inside the innermost list item.
    pub fn mark_loose(&mut self) {
        if let Some(Container::Item { loose, .. }) = self.stack.last_mut() {
            *loose = true;
        }
    }

    pub fn in_quote(&self) -> bool {
        self.stack.iter().any(|c| matches!(c, Container::Quote))
    }

    /// Columns the prefix takes (the same on every line of a block).
    pub fn width(&self) -> usize {
        self.stack
            .iter()
            .map(|c| match c {
                Container::Quote => QUOTE_BAR_WIDTH,
                Container::List { .. } => 0,
                Container::Item { indent, .. } => *indent,
            })
            .sum()
    }

    /// The prefix of the next line. Pending list markers are drawn (once) unless the line
    /// is `blank`, whose prefix also loses its trailing spaces.
    pub fn prefix(&mut self, blank: bool, theme: &MdTheme) -> LineBuf {
        let mut prefix = LineBuf::default();
        for container in &mut self.stack {
            match container {
                Container::Quote => prefix.push_w(QUOTE_BAR, theme.quote, QUOTE_BAR_WIDTH),
                Container::List { .. } => {}
                Container::Item {
                    marker,
                    indent,
                    pending,
                    ..
                } => {
                    if *pending && !blank {
                        prefix.push_w(marker, theme.list_marker, *indent);
                        *pending = false;
                    } else {
                        prefix.pad(*indent);
                    }
                }
            }
        }
        if blank {
            prefix.trim_end();
        }
        prefix
    }
}
