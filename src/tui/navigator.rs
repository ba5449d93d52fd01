//! The navigator pane: lessons, challenges and drills as three lists with a filter.

use crate::lab::content::{Entry, ItemKind};

use super::keymap::Action;

/// What the navigator asks the app to do after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NavOutcome {
    Handled,
    Ignored,
    Open(String),
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub text: String,
    pub editing: bool,
}

/// The three lists and which one is shown.
#[derive(Debug, Clone)]
pub struct Navigator {
    pub tab: ItemKind,
    lessons: List,
    challenges: List,
    drills: List,
}

#[derive(Debug, Clone, Default)]
struct List {
    entries: Vec<Entry>,
    selected: usize,
    filter: Filter,
}

impl List {
    fn visible(&self) -> Vec<&Entry> {
        let needle = self.filter.text.to_lowercase();
        self.entries
            .iter()
            .filter(|e| needle.is_empty() || matches_filter(e, &needle))
            .collect()
    }

    fn clamp(&mut self) {
        let len = self.visible().len();
        self.selected = self.selected.min(len.saturating_sub(1));
    }
}

fn matches_filter(entry: &Entry, needle: &str) -> bool {
    entry.title.to_lowercase().contains(needle)
        || entry.id.contains(needle)
        || entry.tags.iter().any(|t| t.to_lowercase().contains(needle))
}

pub const TABS: [ItemKind; 3] = [ItemKind::Lesson, ItemKind::Challenge, ItemKind::Drill];

impl Navigator {
    pub fn new(lessons: Vec<Entry>, challenges: Vec<Entry>, drills: Vec<Entry>) -> Self {
        let list = |entries| List {
            entries,
            ..List::default()
        };
        Self {
            tab: ItemKind::Lesson,
            lessons: list(lessons),
            challenges: list(challenges),
            drills: list(drills),
        }
    }

    fn list(&self) -> &List {
        self.list_of(self.tab)
    }

    fn list_of(&self, kind: ItemKind) -> &List {
        match kind {
            ItemKind::Lesson => &self.lessons,
            ItemKind::Challenge => &self.challenges,
            ItemKind::Drill => &self.drills,
        }
    }

    fn list_mut(&mut self) -> &mut List {
        match self.tab {
            ItemKind::Lesson => &mut self.lessons,
            ItemKind::Challenge => &mut self.challenges,
            ItemKind::Drill => &mut self.drills,
        }
    }

    /// Entries of the shown tab that pass its filter, in order.
    pub fn visible(&self) -> Vec<&Entry> {
        self.list().visible()
    }

    pub fn count(&self, kind: ItemKind) -> usize {
        self.list_of(kind).entries.len()
    }

    pub fn selected(&self) -> usize {
        self.list().selected
    }

    pub fn selected_entry(&self) -> Option<&Entry> {
        self.visible().get(self.selected()).copied()
    }

    pub fn filter(&self) -> &Filter {
        &self.list().filter
    }

    pub fn is_filtering(&self) -> bool {
        self.list().filter.editing
    }

    pub fn show(&mut self, kind: ItemKind) {
        self.tab = kind;
    }

    /// Selects the item with `id` on whichever tab holds it (used to resume).
    pub fn select_id(&mut self, id: &str) -> bool {
        for kind in TABS {
            self.tab = kind;
            let list = self.list_mut();
            list.filter = Filter::default();
            if let Some(pos) = list.entries.iter().position(|e| e.id == id) {
                list.selected = pos;
                return true;
            }
        }
        self.tab = ItemKind::Lesson;
        false
    }

    /// Moves the selection by `delta` rows (mouse wheel and keys).
    pub fn scroll(&mut self, delta: isize) {
        let list = self.list_mut();
        let last = list.visible().len().saturating_sub(1);
        list.selected = list.selected.saturating_add_signed(delta).min(last);
    }

    pub fn handle(&mut self, action: Action) -> NavOutcome {
        let list = self.list_mut();
        match action {
            Action::Down => self.scroll(1),
            Action::Up => self.scroll(-1),
            Action::Top => list.selected = 0,
            Action::Bottom => list.selected = list.visible().len().saturating_sub(1),
            Action::StartFilter => list.filter.editing = true,
            Action::ClearFilter if !list.filter.text.is_empty() => {
                list.filter = Filter::default();
                list.clamp();
            }
            Action::Open => {
                return match self.selected_entry() {
                    Some(entry) => NavOutcome::Open(entry.id.clone()),
                    None => NavOutcome::Ignored,
                };
            }
            _ => return NavOutcome::Ignored,
        }
        NavOutcome::Handled
    }

    /// Keys while the filter is being typed.
    pub fn handle_filter(&mut self, action: Option<Action>, typed: Option<char>) -> NavOutcome {
        let list = self.list_mut();
        match (action, typed) {
            (Some(Action::AcceptFilter), _) => list.filter.editing = false,
            (Some(Action::CancelFilter), _) => list.filter = Filter::default(),
            (Some(Action::DeleteChar), _) => {
                list.filter.text.pop();
            }
            (_, Some(c)) if !c.is_control() => list.filter.text.push(c),
            _ => return NavOutcome::Ignored,
        }
        list.clamp();
        NavOutcome::Handled
    }
}
