//! Running views on NDJSON lines: [`View::eval_line`], [`View::eval_value`] and [`ViewSet`]
//! (several views, one parse per line).

use std::cell::RefCell;

use bcda_ndjson::scan::Index;
use bumpalo::Bump;

use crate::eval::rows::Run;
use crate::node::{self, Fields, Node};
use crate::value::{Cell, RowSink};
use crate::view::View;
use crate::EvalError;

thread_local! {
    /// The structural index, reused by every line a thread evaluates.
    static INDEX: RefCell<Index> = RefCell::new(Index::new());
    /// The node arena, reset for every line a thread evaluates.
    static ARENA: RefCell<Bump> = RefCell::new(Bump::new());
}

/// Builds the kept fields of `line` in the thread's arena and runs `f` on the tree. `index`:
/// the caller's structural index (else the thread's). A sink that evaluates another line from
/// inside `f` gets a fresh arena and index.
fn with_tree<R>(
    index: Option<&mut Index>,
    line: &[u8],
    fields: &Fields,
    f: impl FnOnce(&Node<'_>) -> Result<R, EvalError>,
) -> Result<R, EvalError> {
    ARENA.with(|cell| match cell.try_borrow_mut() {
        Ok(mut arena) => {
            arena.reset();
            f(&build(&arena, index, line, fields)?)
        }
        Err(_) => {
            let arena = Bump::new();
            f(&build(&arena, index, line, fields)?)
        }
    })
}

/// The kept fields of `line` as a node tree: the structural index's fast lane (which also
/// checks UTF-8), else the escape-aware reader, else serde_json's message for the invalid line.
fn build<'a>(
    arena: &'a Bump,
    index: Option<&mut Index>,
    line: &'a [u8],
    fields: &Fields,
) -> Result<Node<'a>, EvalError> {
    let mut line = line;
    while let [rest @ .., b'\n' | b'\r'] = line {
        line = rest;
    }
    let fast = match index {
        Some(index) => node::build_fast(index, arena, line, fields),
        None => INDEX.with(|index| match index.try_borrow_mut() {
            Ok(mut index) => node::build_fast(&mut index, arena, line, fields),
            Err(_) => node::build_fast(&mut Index::new(), arena, line, fields),
        }),
    };
    if let Ok(node) = fast {
        return Ok(node);
    }
    let text = std::str::from_utf8(line).map_err(|e| EvalError::Json {
        message: format!("invalid UTF-8: {e}"),
    })?;
    node::parse(arena, text, fields).ok_or_else(|| EvalError::Json {
        message: match serde_json::from_str::<serde_json::Value>(text) {
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
    match members.iter().find(|(k, _)| *k == "resourceType") {
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
        self.eval_bytes(line.as_bytes(), sink)
    }

    /// [`View::eval_line`] on the line's bytes as the engine reads them (UTF-8 is checked on
    /// the way; invalid UTF-8 is an [`EvalError::Json`]).
    pub fn eval_bytes(&self, line: &[u8], sink: &mut dyn RowSink) -> Result<usize, EvalError> {
        self.eval_on(None, line, sink)
    }

    /// [`View::eval_bytes`] with the caller's structural index: when the engine has just
    /// found this line's end with [`Index::scan_line`] (stage 1 doubling as the line
    /// splitter), that scan is reused instead of indexing the line a second time.
    pub fn eval_indexed(
        &self,
        index: &mut Index,
        line: &[u8],
        sink: &mut dyn RowSink,
    ) -> Result<usize, EvalError> {
        self.eval_on(Some(index), line, sink)
    }

    fn eval_on(
        &self,
        index: Option<&mut Index>,
        line: &[u8],
        sink: &mut dyn RowSink,
    ) -> Result<usize, EvalError> {
        with_tree(index, line, &self.fields, |node| {
            if resource_type(node)? != self.resource_type() {
                return Ok(0);
            }
            Run::new(self, node).rows(&mut |cells: &[Cell<'_>]| sink.row(cells))
        })
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
        self.eval_bytes(line.as_bytes(), sink)
    }

    /// [`ViewSet::eval_line`] on the line's bytes as the engine reads them.
    pub fn eval_bytes(
        &self,
        line: &[u8],
        sink: &mut dyn FnMut(usize, &[Cell<'_>]),
    ) -> Result<usize, EvalError> {
        self.eval_on(None, line, sink)
    }

    /// [`ViewSet::eval_bytes`] with the caller's structural index (see
    /// [`View::eval_indexed`]).
    pub fn eval_indexed(
        &self,
        index: &mut Index,
        line: &[u8],
        sink: &mut dyn FnMut(usize, &[Cell<'_>]),
    ) -> Result<usize, EvalError> {
        self.eval_on(Some(index), line, sink)
    }

    fn eval_on(
        &self,
        index: Option<&mut Index>,
        line: &[u8],
        sink: &mut dyn FnMut(usize, &[Cell<'_>]),
    ) -> Result<usize, EvalError> {
        with_tree(index, line, &self.fields, |node| {
            let ty = resource_type(node)?;
            let mut total = 0;
            for (i, view) in self.views.iter().enumerate() {
                if view.resource_type() == ty {
                    total += Run::new(view, node).rows(&mut |cells: &[Cell<'_>]| sink(i, cells))?;
                }
            }
            Ok(total)
        })
    }
}

#[cfg(test)]
mod tests {
    //! The projection never changes a view's rows: every view gives the same rows on the
    //! projected tree as on the whole resource, over every BCDA sample.
    use super::*;

    fn samples() -> Vec<String> {
        let dir = std::env::var_os("BCDA_SHARED")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
            })
            .join("samples");
        assert!(
            dir.is_dir(),
            "this test needs the shared reference material: set BCDA_SHARED or place it at {} (missing)",
            dir.display()
        );
        let mut out = Vec::new();
        for v in ["v1", "v2"] {
            for e in std::fs::read_dir(dir.join(v)).expect("read samples") {
                let p = e.expect("entry").path();
                let text = std::fs::read_to_string(&p).expect("read a sample");
                if p.extension().is_some_and(|x| x == "ndjson") {
                    out.extend(
                        text.lines()
                            .filter(|l| !l.trim().is_empty())
                            .map(String::from),
                    );
                } else if p.extension().is_some_and(|x| x == "json") {
                    out.push(text);
                }
            }
        }
        out
    }

    const VIEWS: [&str; 5] = [
        r#"{"resource":"ExplanationOfBenefit","select":[{"column":[{"name":"id","path":"getResourceKey()"},{"name":"pt","path":"patient.getReferenceKey(Patient)"},{"name":"updated","path":"meta.lastUpdated"},{"name":"group","path":"identifier.where(system.endsWith('clm_grp_id')).value.first()"},{"name":"type","path":"type.coding.code","collection":true}]},{"forEachOrNull":"item","column":[{"name":"seq","path":"sequence"},{"name":"hcpcs","path":"productOrService.coding.where(system = 'https://bluebutton.cms.gov/resources/codesystem/hcpcs').code.first()"},{"name":"ndc","path":"productOrService.extension('http://hl7.org/fhir/sid/ndc').value.ofType(Coding).code.first()"},{"name":"date","path":"serviced.ofType(date) | serviced.ofType(Period).start","collection":true},{"name":"paid","path":"adjudication.where(category.coding.where(code.endsWith('line_nch_pmt_amt')).exists()).amount.value","collection":true}]}]}"#,
        r#"{"resource":"ExplanationOfBenefit","select":[{"column":[{"name":"id","path":"id"}]},{"forEach":"diagnosis","column":[{"name":"seq","path":"sequence"},{"name":"code","path":"diagnosis.ofType(CodeableConcept).coding.code","collection":true},{"name":"type","path":"type","collection":true}]}]}"#,
        r#"{"resource":"ExplanationOfBenefit","select":[{"column":[{"name":"id","path":"id"}]},{"forEach":"careTeam","column":[{"name":"npi","path":"provider.identifier.where(system = 'http://hl7.org/fhir/sid/us-npi').value.first()"},{"name":"role","path":"role.coding.code.first()"},{"name":"all","path":"$this"}]}]}"#,
        r#"{"resource":"Coverage","select":[{"column":[{"name":"id","path":"id"},{"name":"status","path":"status"},{"name":"start","path":"period.start"},{"name":"ext","path":"extension.url","collection":true},{"name":"grouping","path":"grouping","collection":true}]}]}"#,
        r#"{"resource":"Patient","select":[{"column":[{"name":"id","path":"id"},{"name":"birth","path":"birthDate.lowBoundary()"}]},{"unionAll":[{"forEach":"name","column":[{"name":"v","path":"family"}]},{"forEach":"address","column":[{"name":"v","path":"postalCode"}]}]},{"repeat":["extension"],"column":[{"name":"url","path":"url"},{"name":"idx","path":"%rowIndex"}]}]}"#,
    ];

    fn rows(view: &View, node: &Node<'_>) -> Vec<String> {
        let mut out = Vec::new();
        if resource_type(node).ok() != Some(view.resource_type()) {
            return out;
        }
        let r = Run::new(view, node).rows(&mut |cells: &[Cell<'_>]| out.push(format!("{cells:?}")));
        out.push(format!("{:?}", r.map_err(|e| e.to_string())));
        out
    }

    #[test]
    fn projected_rows_equal_rows_on_the_whole_resource() {
        let docs = samples();
        let mut compared = 0;
        for text in &docs {
            let arena = Bump::new();
            let whole = node::parse(&arena, text, &Fields::everything()).expect("samples are JSON");
            for v in VIEWS {
                let view = View::from_json(v).expect("test view");
                let projected = node::parse(&arena, text, view.fields()).expect("samples are JSON");
                let (a, b) = (rows(&view, &projected), rows(&view, &whole));
                assert_eq!(a, b, "view {v}");
                // Every list ends with the run's result line.
                compared += a.len().saturating_sub(1);
            }
        }
        assert!(compared > 100, "only {compared} rows compared");
        eprintln!("{compared} rows compared");
    }
}
