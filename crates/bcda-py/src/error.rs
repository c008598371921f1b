//! The package's exceptions: `bcda.ViewError` (a view that cannot be loaded or run) and
//! `bcda.InputError` (an input that cannot be read), both carrying the message with its
//! location (JSON path in the view, or file path).

use pyo3::create_exception;
use pyo3::exceptions::PyException;

create_exception!(
    bcda,
    ViewError,
    PyException,
    "A view that cannot be loaded or run: the message names the JSON path inside the view."
);
create_exception!(
    bcda,
    InputError,
    PyException,
    "An input that cannot be read (missing file, unreadable directory, bad byte range): the \
     message names the path."
);
