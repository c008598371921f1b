//! Parquet: row groups encoded and compressed on the workers, appended by the writer thread.

use std::fs::File;
use std::io::BufWriter;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::arrow_writer::{compute_leaves, ArrowColumnChunk, ArrowRowGroupWriterFactory};
use parquet::arrow::{add_encoded_arrow_schema_to_metadata, ArrowSchemaConverter};
use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;

use super::WriteOptions;

/// The file being written.
pub(super) type FileSink = SerializedFileWriter<BufWriter<File>>;

/// Makes column writers for a row group; shared by the workers.
pub(super) type Factory = ArrowRowGroupWriterFactory;

/// One encoded, compressed row group.
pub struct RowGroup {
    chunks: Vec<ArrowColumnChunk>,
    rows: usize,
}

impl RowGroup {
    /// Number of rows.
    pub(super) fn rows(&self) -> usize {
        self.rows
    }
}

/// Opens the Parquet writer: zstd, statistics per page, the Arrow schema embedded (so readers
/// get back `Decimal128` and `List` exactly).
pub(super) fn create(
    out: BufWriter<File>,
    schema: &SchemaRef,
    options: &WriteOptions,
) -> Result<(FileSink, Factory), ParquetError> {
    let level = ZstdLevel::try_new(options.zstd_level)?;
    let mut props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(level))
        .set_created_by(format!("bcda-view {}", env!("CARGO_PKG_VERSION")))
        .build();
    add_encoded_arrow_schema_to_metadata(schema, &mut props);
    let parquet_schema = ArrowSchemaConverter::new()
        .with_coerce_types(props.coerce_types())
        .convert(schema)?;
    let writer = SerializedFileWriter::new(out, parquet_schema.root_schema_ptr(), props.into())?;
    let factory = ArrowRowGroupWriterFactory::new(&writer, schema.clone());
    Ok((writer, factory))
}

/// Encodes and compresses one batch as a row group (runs on a worker).
pub(super) fn encode(factory: &Factory, batch: &RecordBatch) -> Result<RowGroup, ParquetError> {
    let mut writers = factory.create_column_writers(0)?;
    let mut next = writers.iter_mut();
    let schema = batch.schema();
    for (field, array) in schema.fields().iter().zip(batch.columns()) {
        for leaf in compute_leaves(field, array)? {
            next.next()
                .ok_or_else(|| ParquetError::General("more leaves than column writers".into()))?
                .write(&leaf)?;
        }
    }
    let chunks = writers
        .into_iter()
        .map(|w| w.close())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RowGroup {
        chunks,
        rows: batch.num_rows(),
    })
}

/// Appends an encoded row group to the file (runs on the writer thread).
pub(super) fn append(writer: &mut FileSink, rg: RowGroup) -> Result<(), ParquetError> {
    let mut group = writer.next_row_group()?;
    for chunk in rg.chunks {
        chunk.append_to_row_group(&mut group)?;
    }
    group.close()?;
    Ok(())
}

/// Writes the footer; returns the underlying buffered file.
pub(super) fn close(writer: FileSink) -> Result<BufWriter<File>, ParquetError> {
    writer.into_inner()
}
