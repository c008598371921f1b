//! Criterion bench: NDJSON generation throughput (MB/s on one core) per resource kind.

use bcda_synth::{sandbox_catalogue, FhirVersion, Generator, ResourceKind};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

const REFERENCE: i64 = 1_764_547_200; // 2025-12-01T00:00:00Z

fn bench(c: &mut Criterion) {
    let spec = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == "A9993")
        .map(|a| a.spec);
    let spec = spec.expect("A9993 in the catalogue");
    let g = Generator::new(&spec, REFERENCE);
    let benes: Vec<u32> = (0..200).collect();
    let mut group = c.benchmark_group("generate");
    for (version, vname) in [(FhirVersion::R4, "v2"), (FhirVersion::Stu3, "v1")] {
        for kind in [
            ResourceKind::ExplanationOfBenefit,
            ResourceKind::Patient,
            ResourceKind::Coverage,
        ] {
            let mut probe = Vec::new();
            g.write_ndjson(version, kind, &benes, None, REFERENCE, &mut probe)
                .expect("generate");
            group.throughput(Throughput::Bytes(probe.len() as u64));
            let mut buf = Vec::with_capacity(probe.len());
            group.bench_function(format!("{vname}/{kind}/200-benes"), |b| {
                b.iter(|| {
                    buf.clear();
                    black_box(
                        g.write_ndjson(version, kind, &benes, None, REFERENCE, &mut buf)
                            .expect("generate"),
                    );
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
