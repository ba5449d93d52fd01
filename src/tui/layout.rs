//! Screen geometry shared by `update` (wrap width, page size) and `view` (where to draw).
//!
//! ```text
//! ┌ Lessons ─────────┐┌ Reader ───────────────────────────────┐
//! │ ▶ 01 Three pill… ││ # Metrics and PromQL basics            │
//! │   02 PromQL …    ││ ...                                    │
//! └──────────────────┘└────────────────────────────────────────┘
//!  lab: not started │ notice                     ? help · q quit
//! ```

use ratatui::layout::Rect;

/// The smallest terminal labtui draws in; below it a notice asks for more room.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;

/// Width from which a lesson and the Query pane sit side by side rather than stacked.
pub const SIDE_BY_SIDE_WIDTH: u16 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub navigator: Rect,
    /// The right-hand pane: the reader, or whichever pane is in front there.
    pub reader: Rect,
    /// The Query pane when it shares the screen with the reader.
    pub query: Option<Rect>,
    pub status: Rect,
    pub too_small: bool,
}

impl Areas {
    pub fn new(width: u16, height: u16) -> Self {
        let too_small = width < MIN_WIDTH || height < MIN_HEIGHT;
        let body_height = height.saturating_sub(1);
        // The list gets about a third, within sensible bounds.
        let nav_width = (width / 3).clamp(24, 40).min(width);
        Self {
            navigator: Rect::new(0, 0, nav_width, body_height),
            reader: Rect::new(nav_width, 0, width.saturating_sub(nav_width), body_height),
            query: None,
            status: Rect::new(0, body_height, width, height.min(1)),
            too_small,
        }
    }

    /// A lesson beside the Query pane, the list hidden: side by side from
    /// [`SIDE_BY_SIDE_WIDTH`] columns (the lesson gets 45%), else the lesson above (40%)
    /// and the results below, both full width, so 80 columns still read well.
    ///
    /// ```text
    /// ┌ Lesson ──────────┐┌ Query ──────────────┐     ┌ Lesson ──────────────────────┐
    /// │                  ││                     │     └──────────────────────────────┘
    /// └──────────────────┘└─────────────────────┘     ┌ Query ───────────────────────┐
    /// ```
    pub fn split(width: u16, height: u16) -> Self {
        let base = Self::new(width, height);
        let body = base.navigator.height;
        let (reader, query) = if width >= SIDE_BY_SIDE_WIDTH {
            let left = width * 45 / 100;
            (
                Rect::new(0, 0, left, body),
                Rect::new(left, 0, width - left, body),
            )
        } else {
            let top = (body * 2 / 5).max(5).min(body);
            (
                Rect::new(0, 0, width, top),
                Rect::new(0, top, width, body - top),
            )
        };
        Self {
            navigator: Rect::new(0, 0, 0, body),
            reader,
            query: Some(query),
            ..base
        }
    }

    /// Where the Query pane draws: its own share in a split, else the right-hand pane.
    pub fn query_pane(&self) -> Rect {
        self.query.unwrap_or(self.reader)
    }

    /// Text width inside the reader's border and padding.
    pub fn reader_width(&self) -> u16 {
        self.reader.width.saturating_sub(4).max(1)
    }

    /// Text rows inside the reader's border.
    pub fn reader_height(&self) -> usize {
        usize::from(self.reader.height.saturating_sub(2)).max(1)
    }

    pub fn in_navigator(&self, column: u16, row: u16) -> bool {
        self.navigator
            .contains(ratatui::layout::Position::new(column, row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_tile_the_screen_without_overlap() {
        for (w, h) in [(60, 20), (100, 30), (200, 60)] {
            let a = Areas::new(w, h);
            assert!(!a.too_small);
            assert_eq!(a.navigator.width + a.reader.width, w);
            assert_eq!(a.navigator.height + a.status.height, h);
            assert!(a.navigator.intersection(a.reader).is_empty());
        }
        assert!(Areas::new(59, 30).too_small);
        assert!(Areas::new(100, 19).too_small);
        for (w, h) in [(80, 24), (120, 36), (200, 60)] {
            let a = Areas::split(w, h);
            let q = a.query_pane();
            assert!(a.reader.intersection(q).is_empty());
            assert_eq!(a.reader.area() + q.area(), u32::from(w) * u32::from(h - 1));
            assert_eq!(a.navigator.width, 0);
            assert!(!a.in_navigator(0, 0));
        }
        assert!(
            Areas::split(120, 36).reader.height == 35,
            "side by side at 120 columns"
        );
        assert!(
            Areas::split(80, 24).reader.width == 80,
            "stacked at 80 columns"
        );
        let tiny = Areas::new(3, 1);
        assert!(tiny.too_small);
        assert_eq!(tiny.reader_height(), 1);
    }
}
