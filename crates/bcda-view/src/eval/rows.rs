//! The rows of a view on one resource: `where`, `select`, `forEach` / `forEachOrNull` /
//! `repeat`, `unionAll` and the cartesian product of nested selects, filling one row buffer
//! slot by slot.

use std::borrow::Cow;

use super::item::{Item, Prim};
use super::path::{boolean, eval, Env, Fail};
use crate::node::Node;
use crate::value::{Cell, ColumnType, Value};
use crate::view::{ColumnPlan, Compiled, Iter, SelectPlan, View};
use crate::{EvalError, PathFailure};

/// Where evaluation is inside the resource: a chain of iterations, formatted only for errors.
#[derive(Debug, Clone, Copy)]
struct Loc<'a> {
    parent: Option<&'a Loc<'a>>,
    /// The iteration expression, with the item's index.
    step: Option<(&'a str, usize)>,
}

impl Loc<'_> {
    fn render(&self) -> String {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(l) = at {
            if let Some((src, i)) = l.step {
                steps.push(format!("{src}[{i}]"));
            }
            at = l.parent;
        }
        if steps.is_empty() {
            return "$".to_string();
        }
        steps.reverse();
        steps.join(".")
    }
}

/// Receives each complete row.
type Emit<'s, 'n> = dyn FnMut(&mut Vec<Cell<'n>>) -> Result<(), EvalError> + 's;

/// One view on one resource.
pub(crate) struct Run<'n> {
    view: &'n View,
    root: &'n Node<'n>,
}

impl<'n> Run<'n> {
    pub(crate) fn new(view: &'n View, root: &'n Node<'n>) -> Run<'n> {
        Run { view, root }
    }

    /// Emits every row of the view for the resource; returns how many.
    pub(crate) fn rows(&self, sink: &mut dyn FnMut(&[Cell<'_>])) -> Result<usize, EvalError> {
        let focus = Item::Node(self.root, None);
        let top = Loc {
            parent: None,
            step: None,
        };
        for w in &self.view.wheres {
            let r = self.eval(w, &focus, 0, &top)?;
            match boolean(&r, "a view `where` path") {
                Ok(Some(true)) => {}
                Ok(_) => return Ok(0),
                Err(m) => return Err(self.error(w, &top, m)),
            }
        }
        let mut row = vec![Cell::Null; self.view.columns().len()];
        let mut count = 0;
        self.select(&self.view.root, &focus, 0, &top, &mut row, &mut |row| {
            sink(row);
            count += 1;
            Ok(())
        })?;
        Ok(count)
    }

    fn env(&self, row_index: i64) -> Env<'n> {
        Env {
            constants: &self.view.constants,
            row_index,
            root: self.root,
        }
    }

    fn eval(
        &self,
        c: &'n Compiled,
        focus: &Item<'n>,
        idx: i64,
        loc: &Loc<'_>,
    ) -> Result<Vec<Item<'n>>, EvalError> {
        self.eval_on(c, std::slice::from_ref(focus), idx, loc)
    }

    fn eval_on(
        &self,
        c: &'n Compiled,
        focus: &[Item<'n>],
        idx: i64,
        loc: &Loc<'_>,
    ) -> Result<Vec<Item<'n>>, EvalError> {
        eval(&c.expr, focus, &self.env(idx)).map_err(|m| self.error(c, loc, m))
    }

    fn error(&self, c: &Compiled, loc: &Loc<'_>, message: Fail) -> EvalError {
        let field = |name: &str| match Item::Node(self.root, None).member(name) {
            Some(Node::String(s)) => s.to_string(),
            _ => "?".to_string(),
        };
        EvalError::Path(Box::new(PathFailure {
            view: self
                .view
                .name()
                .unwrap_or(self.view.resource_type())
                .to_string(),
            path: c.path.clone(),
            expr: c.src.clone(),
            resource: format!("{}/{}", field("resourceType"), field("id")),
            at: loc.render(),
            message,
        }))
    }

    fn select(
        &self,
        s: &'n SelectPlan,
        focus: &Item<'n>,
        idx: i64,
        loc: &Loc<'_>,
        row: &mut Vec<Cell<'n>>,
        k: &mut Emit<'_, 'n>,
    ) -> Result<(), EvalError> {
        let (items, src) = match &s.iter {
            Iter::Once => return self.body(s, focus, idx, loc, row, k),
            Iter::ForEach(e) | Iter::ForEachOrNull(e) => {
                (self.eval(e, focus, idx, loc)?, e.src.as_str())
            }
            Iter::Repeat(paths) => {
                let mut out = Vec::new();
                self.repeat(paths, focus, idx, loc, &mut out)?;
                (out, "repeat")
            }
        };
        if items.is_empty() && matches!(s.iter, Iter::ForEachOrNull(_)) {
            // The null row: everything under this select is null, except what its own
            // columns give on an empty focus (`%rowIndex` is 0).
            row[s.slots.clone()].fill(Cell::Null);
            for c in &s.columns {
                row[c.slot] = self.cell(c, &[], 0, loc)?;
            }
            return k(row);
        }
        for (i, item) in items.iter().enumerate() {
            let l = Loc {
                parent: Some(loc),
                step: Some((src, i)),
            };
            self.body(s, item, i as i64, &l, row, k)?;
        }
        Ok(())
    }

    /// The items `repeat` reaches from `focus`, depth first, in document order.
    fn repeat(
        &self,
        paths: &'n [Compiled],
        focus: &Item<'n>,
        idx: i64,
        loc: &Loc<'_>,
        out: &mut Vec<Item<'n>>,
    ) -> Result<(), EvalError> {
        for p in paths {
            for child in self.eval(p, focus, idx, loc)? {
                out.push(child.clone());
                self.repeat(paths, &child, idx, loc, out)?;
            }
        }
        Ok(())
    }

    fn body(
        &self,
        s: &'n SelectPlan,
        focus: &Item<'n>,
        idx: i64,
        loc: &Loc<'_>,
        row: &mut Vec<Cell<'n>>,
        k: &mut Emit<'_, 'n>,
    ) -> Result<(), EvalError> {
        for c in &s.columns {
            row[c.slot] = self.cell(c, std::slice::from_ref(focus), idx, loc)?;
        }
        self.chain(s, 0, focus, idx, loc, row, k)
    }

    /// The product of the nested selects from the `i`th on, then the `unionAll`.
    #[allow(clippy::too_many_arguments)]
    fn chain(
        &self,
        s: &'n SelectPlan,
        i: usize,
        focus: &Item<'n>,
        idx: i64,
        loc: &Loc<'_>,
        row: &mut Vec<Cell<'n>>,
        k: &mut Emit<'_, 'n>,
    ) -> Result<(), EvalError> {
        let n = s.selects.len();
        if i < n {
            return self.select(&s.selects[i], focus, idx, loc, row, &mut |row| {
                self.chain(s, i + 1, focus, idx, loc, row, k)
            });
        }
        if i == n && !s.union.is_empty() {
            for branch in &s.union {
                self.select(branch, focus, idx, loc, row, &mut |row| {
                    self.chain(s, i + 1, focus, idx, loc, row, k)
                })?;
            }
            return Ok(());
        }
        k(row)
    }

    fn cell(
        &self,
        c: &'n ColumnPlan,
        focus: &[Item<'n>],
        idx: i64,
        loc: &Loc<'_>,
    ) -> Result<Cell<'n>, EvalError> {
        let items = self.eval_on(&c.expr, focus, idx, loc)?;
        let col = &self.view.columns()[c.slot];
        if col.collection {
            return Ok(Cell::Many(
                items.iter().filter_map(|i| value(i, col.ty)).collect(),
            ));
        }
        match items.as_slice() {
            [] => Ok(Cell::Null),
            [one] => Ok(value(one, col.ty).map_or(Cell::Null, Cell::One)),
            more => Err(self.error(
                &c.expr,
                loc,
                format!(
                    "column `{}` has {} values; declare it `collection: true` to keep them all",
                    col.name,
                    more.len()
                ),
            )),
        }
    }
}

/// The output value of one item in a column of type `ty`: numbers and booleans in a text
/// column (`string`, `code`, dates and times) become their text, so a column holds one kind.
fn value<'n>(item: &Item<'n>, ty: ColumnType) -> Option<Value<'n>> {
    let v = natural_value(item, ty)?;
    let text = matches!(
        ty,
        ColumnType::String
            | ColumnType::Date
            | ColumnType::DateTime
            | ColumnType::Instant
            | ColumnType::Time
    );
    Some(match v {
        Value::Integer(i) if text => Value::String(Cow::Owned(i.to_string())),
        Value::Decimal(d) if text => Value::String(d),
        Value::Bool(b) if text => Value::String(Cow::Borrowed(if b { "true" } else { "false" })),
        v => v,
    })
}

/// The value an item has by itself (a JSON number with no fraction is an integer).
fn natural_value<'n>(item: &Item<'n>, ty: ColumnType) -> Option<Value<'n>> {
    let integer = matches!(ty, ColumnType::Integer | ColumnType::Integer64);
    Some(match item {
        Item::Node(Node::String(s), _) => Value::String(Cow::Borrowed(s)),
        Item::Node(Node::Number(n), _) => match item.prim()? {
            Prim::Int(i) if ty != ColumnType::Decimal => Value::Integer(i),
            Prim::Dec(d) if integer && d.parse::<f64>().is_ok_and(|v| v.fract() == 0.0) => {
                Value::Integer(d.parse::<f64>().ok()? as i64)
            }
            _ => Value::Decimal(Cow::Borrowed(n)),
        },
        Item::Node(Node::Bool(b), _) | Item::Bool(b) => Value::Bool(*b),
        Item::Node(Node::Null, _) => return None,
        Item::Node(n @ (Node::Object(_) | Node::Array(_)), _) => {
            Value::String(Cow::Owned(n.to_json()))
        }
        Item::Int(i) if ty == ColumnType::Decimal => Value::Decimal(Cow::Owned(i.to_string())),
        Item::Int(i) => Value::Integer(*i),
        Item::Dec(d) => Value::Decimal(d.clone()),
        Item::Str(s) => Value::String(s.clone()),
    })
}
