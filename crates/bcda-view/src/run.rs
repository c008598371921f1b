//! Running views on NDJSON lines: [`View::eval_line`], [`View::eval_value`] and [`ViewSet`]
//! (several views, one parse per line).

use std::cell::RefCell;

use bcda_ndjson::scan::Index;

use crate::eval::rows::Run;
use crate::node::{self, Fields, Node};
use crate::value::{Cell, RowSink};
use crate::view::View;
use crate::EvalError;

thread_local! {
    /// The structural index, reused by every line a thread evaluates.
    static INDEX: RefCell<Index> = RefCell::new(Index::new());
}

/// The kept fields of `line` as a node tree: the structural index's fast lane, else the
/// escape-aware reader, else serde_json's message for the invalid line.
fn build<'a>(line: &'a str, fields: &Fields) -> Result<Node<'a>, EvalError> {
    let line = line.trim_end_matches(['\n', '\r']);
    let fast =
        INDEX.with(|index| node::build_fast(&mut index.borrow_mut(), line.as_bytes(), fields));
    if let Ok(node) = fast {
        return Ok(node);
    }
    node::parse(line, fields).ok_or_else(|| EvalError::Json {
        message: match serde_json::from_str::<serde_json::Value>(line) {
            Err(e) => e.to_string(),
            Ok(_) => "nested too deeply".to_string(),
        },
    })
}

/// The `resourceType` of a node, or an error when it is not a resource.
fn resource_type<'n>(node: &'n Node<'_>) -> Result<&'n str, EvalError> {
    let Node::Object(members) = node else {
        return Err(EvalError::Json {
            message: "a resource must be a JSON object".to_string(),
        });
    };
    match members.iter().find(|(k, _)| k == "resourceType") {
        Some((_, Node::String(t))) => Ok(t),
        _ => Err(EvalError::Json {
            message: "the object has no `resourceType` string".to_string(),
        }),
    }
}

impl View {
    /// Evaluates the view on one resource given as JSON text (an NDJSON line). A resource of
    /// another resourceType yields no rows. Returns the number of rows emitted.
    pub fn eval_line(&self, line: &str, sink: &mut dyn RowSink) -> Result<usize, EvalError> {
        let node = build(line, &self.fields)?;
        if resource_type(&node)? != self.resource_type() {
            return Ok(0);
        }
        Run::new(self, &node).rows(&mut |cells: &[Cell<'_>]| sink.row(cells))
    }

    /// [`View::eval_line`] on an already parsed resource.
    pub fn eval_value(
        &self,
        resource: &serde_json::Value,
        sink: &mut dyn RowSink,
    ) -> Result<usize, EvalError> {
        self.eval_line(&resource.to_string(), sink)
    }
}

/// Several views evaluated with one parse per line: the fields of all of them are read in
/// one pass.
#[derive(Debug, Clone)]
pub struct ViewSet {
    views: Vec<View>,
    fields: Fields,
}

impl ViewSet {
    /// A set of views.
    pub fn new(views: Vec<View>) -> ViewSet {
        let mut fields = Fields::default();
        for v in &views {
            fields.merge(v.fields());
        }
        ViewSet { views, fields }
    }

    /// The views, in the order given.
    pub fn views(&self) -> &[View] {
        &self.views
    }

    /// Calls `sink(view_index, cells)` for every row of every view for this line; returns
    /// the number of rows.
    pub fn eval_line(
        &self,
        line: &str,
        sink: &mut dyn FnMut(usize, &[Cell<'_>]),
    ) -> Result<usize, EvalError> {
        let node = build(line, &self.fields)?;
        let ty = resource_type(&node)?;
        let mut total = 0;
        for (i, view) in self.views.iter().enumerate() {
            if view.resource_type() == ty {
                total += Run::new(view, &node).rows(&mut |cells: &[Cell<'_>]| sink(i, cells))?;
            }
        }
        Ok(total)
    }
}
