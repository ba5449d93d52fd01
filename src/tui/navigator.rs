//! The navigator pane: lessons, challenges and drills as three lists with a filter, and a
//! learning path that narrows all three to its items, in its order.

use crate::lab::content::{Catalog, Entry, ItemKind};

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

/// A learning path as the lists need it: its title and its item ids in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavPath {
    pub title: String,
    pub ids: Vec<String>,
}

impl NavPath {
    /// Every path of the catalog, includes followed.
    pub fn all(catalog: &Catalog) -> Vec<NavPath> {
        catalog
            .paths
            .iter()
            .map(|path| NavPath {
                title: path.title.clone(),
                ids: catalog
                    .path_entries(path)
                    .into_iter()
                    .map(|e| e.id)
                    .collect(),
            })
            .collect()
    }
}

/// The three lists and which one is shown.
#[derive(Debug, Clone)]
pub struct Navigator {
    pub tab: ItemKind,
    lessons: List,
    challenges: List,
    drills: List,
    paths: Vec<NavPath>,
    /// The path the lists are narrowed to, an index into `paths`.
    path: Option<usize>,
}

#[derive(Debug, Clone, Default)]
struct List {
    entries: Vec<Entry>,
    selected: usize,
    filter: Filter,
}

impl List {
    /// The entries that pass the filter: all in file order, or a path's in its order.
    fn visible(&self, path: Option<&NavPath>) -> Vec<&Entry> {
        let needle = self.filter.text.to_lowercase();
        self.in_path(path)
            .into_iter()
            .filter(|e| needle.is_empty() || matches_filter(e, &needle))
            .collect()
    }

    fn in_path(&self, path: Option<&NavPath>) -> Vec<&Entry> {
        match path {
            None => self.entries.iter().collect(),
            Some(path) => path
                .ids
                .iter()
                .filter_map(|id| self.entries.iter().find(|e| &e.id == id))
                .collect(),
        }
    }

    fn clamp(&mut self, path: Option<&NavPath>) {
        let len = self.visible(path).len();
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
            paths: Vec::new(),
            path: None,
        }
    }

    /// The learning paths `p` cycles through, in order.
    pub fn with_paths(mut self, paths: Vec<NavPath>) -> Self {
        self.paths = paths;
        self
    }

    /// The path the lists are narrowed to, if any.
    pub fn path(&self) -> Option<&NavPath> {
        self.path.and_then(|i| self.paths.get(i))
    }

    /// All items, then each path in turn, then all again; every list starts at its top.
    pub fn cycle_path(&mut self) {
        self.path = match self.path {
            None if !self.paths.is_empty() => Some(0),
            Some(i) if i + 1 < self.paths.len() => Some(i + 1),
            _ => None,
        };
        for kind in TABS {
            self.list_mut_of(kind).selected = 0;
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
        self.list_mut_of(self.tab)
    }

    fn list_mut_of(&mut self, kind: ItemKind) -> &mut List {
        match kind {
            ItemKind::Lesson => &mut self.lessons,
            ItemKind::Challenge => &mut self.challenges,
            ItemKind::Drill => &mut self.drills,
        }
    }

    /// Entries of the shown tab that pass its filter (and are in the path), in order.
    pub fn visible(&self) -> Vec<&Entry> {
        self.list().visible(self.path())
    }

    /// How many items of `kind` there are (in the path, when one is chosen).
    pub fn count(&self, kind: ItemKind) -> usize {
        self.list_of(kind).in_path(self.path()).len()
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

    /// Selects the item with `id` on whichever tab holds it (used to resume); the lists show
    /// every item again so it can be seen.
    pub fn select_id(&mut self, id: &str) -> bool {
        self.path = None;
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
        let last = self.visible().len().saturating_sub(1);
        let list = self.list_mut();
        list.selected = list.selected.saturating_add_signed(delta).min(last);
    }

    pub fn handle(&mut self, action: Action) -> NavOutcome {
        let path = self.path.and_then(|i| self.paths.get(i)).cloned();
        let list = self.list_mut();
        match action {
            Action::Down => self.scroll(1),
            Action::Up => self.scroll(-1),
            Action::Top => list.selected = 0,
            Action::Bottom => list.selected = list.visible(path.as_ref()).len().saturating_sub(1),
            Action::StartFilter => list.filter.editing = true,
            Action::ClearFilter if !list.filter.text.is_empty() => {
                list.filter = Filter::default();
                list.clamp(path.as_ref());
            }
            Action::CyclePath => self.cycle_path(),
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
        let path = self.path.and_then(|i| self.paths.get(i)).cloned();
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
        list.clamp(path.as_ref());
        NavOutcome::Handled
    }
}
