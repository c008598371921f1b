//! FHIR paths built lazily during parsing and validation.
//!
//! A [`Path`] is a linked list of stack frames: creating one costs two stores, and the string
//! (`ExplanationOfBenefit.item[3].adjudication[0].category`) is only rendered for an issue.

use std::fmt;

/// One segment of a path.
#[derive(Debug, Clone, Copy)]
pub enum Seg<'p> {
    /// The root (a resource or type name).
    Root(&'p str),
    /// `.name`
    Field(&'p str),
    /// `[i]`
    Index(usize),
}

/// A path: a segment and its parent.
#[derive(Debug, Clone, Copy)]
pub struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    seg: Seg<'p>,
}

impl<'p> Path<'p> {
    /// A root path.
    pub const fn root(name: &'p str) -> Self {
        Path {
            parent: None,
            seg: Seg::Root(name),
        }
    }

    /// `self.name`
    #[inline]
    pub fn field(&'p self, name: &'p str) -> Path<'p> {
        Path {
            parent: Some(self),
            seg: Seg::Field(name),
        }
    }

    /// `self[i]`
    #[inline]
    pub fn index(&'p self, i: usize) -> Path<'p> {
        Path {
            parent: Some(self),
            seg: Seg::Index(i),
        }
    }

    /// Renders the path.
    pub fn render(&self) -> String {
        self.to_string()
    }

    /// Renders `self.name` without building the child node.
    pub fn render_field(&self, name: &str) -> String {
        format!("{self}.{name}")
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.parent {
            fmt::Display::fmt(p, f)?;
        }
        match self.seg {
            Seg::Root(n) => f.write_str(n),
            Seg::Field(n) => write!(f, ".{n}"),
            Seg::Index(i) => write!(f, "[{i}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_nested_paths() {
        let root = Path::root("ExplanationOfBenefit");
        let item = root.field("item");
        let i3 = item.index(3);
        let adj = i3.field("adjudication");
        let a0 = adj.index(0);
        assert_eq!(
            a0.render_field("category"),
            "ExplanationOfBenefit.item[3].adjudication[0].category"
        );
    }
}
