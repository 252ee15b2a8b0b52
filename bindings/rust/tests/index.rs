//! index.rs - tests of the safe wrapper: open, update, progress, cancel, search, stats, errors.
mod common;

use codeidx::{ErrorKind, FileStatus, Index, Phase, SearchOptions, UpdateOptions};
use common::TempTree;
use std::ops::ControlFlow;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

fn sample() -> TempTree {
    let t = TempTree::new();
    t.write(
        b"src/main.c",
        b"#include <stdio.h>\nint main(void)\n{\n\tfoo_bar();\n\treturn 0;\n}\n",
    )
    .write(
        b"src/util.h",
        b"void foo_bar(void);\nint foobar;\n/* FOO_BAR */\n",
    )
    .write(
        b"docs/notes.txt",
        b"foo bar\nthe foo_bar function\nfoo.bar\n",
    );
    t
}

fn lines(idx: &Index, pat: &str, o: &SearchOptions) -> Vec<(String, u64)> {
    idx.search(pat, o)
        .unwrap()
        .into_iter()
        .map(|m| (m.path.to_string_lossy().into_owned(), m.line))
        .collect()
}

#[test]
fn module_functions() {
    assert_eq!(codeidx::version().split('.').count(), 3);
    assert!(codeidx::languages().iter().any(|l| l == "rust"));
    assert!(codeidx::language_globs("c")
        .unwrap()
        .iter()
        .any(|g| g == "*.c"));
    assert!(codeidx::language_globs("nope").is_none());
    assert!(!codeidx::strerror(-7).is_empty());
}

#[test]
fn open_errors_carry_code_and_detail() {
    let t = TempTree::new();
    let e = Index::open_existing(&t.root).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoIndex);
    assert_eq!(e.code(), -5);
    assert_eq!(e.name(), codeidx::strerror(-5));
    assert!(
        e.detail()
            .contains(t.root.canonicalize().unwrap().to_str().unwrap()),
        "{e}"
    );
    assert!(e.to_string().contains(e.detail()));
    let e = Index::open(t.root.join("missing")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let boxed: Box<dyn std::error::Error> = Box::new(e); // a proper error type
    assert!(boxed.to_string().contains("missing"));
}

#[test]
fn update_search_stats() {
    let t = sample();
    let idx = Index::open(&t.root).unwrap();
    assert_eq!(idx.root(), t.root.canonicalize().unwrap());
    assert_eq!(idx.stats().unwrap().generation, 0);
    let r = idx
        .update(&UpdateOptions {
            threads: 2,
            ..Default::default()
        })
        .unwrap();
    assert_eq!((r.generation, r.files_new, r.segments_written), (1, 3, 1));
    let r = idx.update(&UpdateOptions::default()).unwrap();
    assert_eq!(r.files_unchanged + r.files_touched, 3);
    assert_eq!(r.segments_written, 0);
    // Files written within the timestamp granularity are re-hashed ("touched"): their
    // new stat data may be committed as a new generation, with no new segment.
    let s = idx.stats().unwrap();
    assert_eq!((s.generation, s.files, s.segments), (r.generation, 3, 1));
    assert!(s.trigrams > 0 && s.index_bytes > 0);
    let text = idx.status_text().unwrap();
    let head = format!("root        {}\n", idx.root().display());
    assert!(text.starts_with(head.as_bytes()));
    assert!(text.windows(18).any(|w| w == b"\nfiles       3\nbyt"));
    assert!(text.ends_with(b"\nskipped failed     0\n"));

    let ms = idx.search(r"foo_\w+\(", &SearchOptions::new()).unwrap();
    assert_eq!(ms.len(), 2);
    let m = &ms[0];
    assert_eq!(m.path, Path::new("src/main.c"));
    assert_eq!((m.line, m.column), (4, 2));
    assert_eq!(m.text, b"\tfoo_bar();");
    assert_eq!(m.spans, vec![1..9]);
    assert_eq!(m.matched().collect::<Vec<_>>(), vec![&b"foo_bar("[..]]);
    assert!(m.file_start && !m.is_context);

    let o = SearchOptions::new();
    assert_eq!(
        lines(&idx, "foo.bar", &o.clone().literal(true)),
        vec![("docs/notes.txt".into(), 3)]
    );
    assert_eq!(
        lines(&idx, "FOO_BAR", &o.clone().literal(true).ignore_case(true)).len(),
        4
    );
    assert_eq!(lines(&idx, "foo", &o.clone().word(true)).len(), 2);
    assert_eq!(
        lines(&idx, "foo_bar", &o.clone().glob("*.h")),
        vec![("src/util.h".into(), 1)]
    );
    assert_eq!(lines(&idx, "foo_bar", &o.clone().language("c")).len(), 2);
    assert_eq!(lines(&idx, "foo", &o.clone().max_count(1)).len(), 3);
    let ctx = idx.search("return", &o.clone().context(1)).unwrap();
    assert_eq!(
        ctx.iter()
            .map(|m| (m.line, m.is_context))
            .collect::<Vec<_>>(),
        vec![(4, true), (5, false), (6, true)]
    );
    assert!(ctx[0].spans.is_empty());
    assert!(idx.search("nothing_like_this", &o).unwrap().is_empty());
}

#[test]
fn search_errors() {
    let t = sample();
    let idx = Index::open(&t.root).unwrap();
    idx.update(&UpdateOptions::default()).unwrap();
    let e = idx.search("foo(", &SearchOptions::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pattern);
    assert!(e.detail().contains("offset"), "{e}");
    let e = idx
        .search("x", &SearchOptions::new().context(1_000_000))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit);
    let e = idx
        .search("x", &SearchOptions::new().glob("a\0b"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn raw_bytes_paths_and_text() {
    let t = TempTree::new();
    t.write(b"bad\xff name.txt", b"caf\xe9 needle \xff\n")
        .write("utf8/été.txt".as_bytes(), "déjà needle 日\n".as_bytes());
    let idx = Index::open(&t.root).unwrap();
    idx.update(&UpdateOptions::default()).unwrap();
    let ms = idx.search("needle", &SearchOptions::new()).unwrap();
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[0].path.as_os_str().as_bytes(), b"bad\xff name.txt");
    assert!(t.root.join(&ms[0].path).exists());
    assert_eq!(ms[0].text, b"caf\xe9 needle \xff");
    assert_eq!(ms[0].text_lossy(), "caf\u{fffd} needle \u{fffd}");
    assert_eq!(ms[1].spans, vec![7..13]); // byte offsets
    let ms = idx.search(b"\xff", &SearchOptions::new()).unwrap();
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].spans, vec![12..13]);
}

#[test]
fn search_with_streams_and_stops() {
    let t = TempTree::new();
    for i in 0..10 {
        let body: String = (0..500).map(|j| format!("hit {i} {j}\n")).collect();
        t.write(format!("f{i}.txt").as_bytes(), body.as_bytes());
    }
    let idx = Index::open(&t.root).unwrap();
    idx.update(&UpdateOptions::default()).unwrap();
    let all = idx.search("hit", &SearchOptions::new()).unwrap();
    assert_eq!(all.len(), 5000);
    let keys: Vec<_> = all.iter().map(|m| (m.path.clone(), m.line)).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);

    let mut seen = 0;
    let sum = idx
        .search_with("hit", &SearchOptions::new(), |_| {
            seen += 1;
            if seen == 7 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!(seen, 7);
    assert!(sum.stopped);
    let sum = idx
        .search_with("hit", &SearchOptions::new().max_total(3), |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(sum.lines_matched, 3);
    assert!(sum.stopped);

    // A panic in the closure stops the C side and resumes in the caller.
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = idx.search_with("hit", &SearchOptions::new(), |_| panic!("boom in search"));
    }));
    let msg = r.unwrap_err();
    assert_eq!(msg.downcast_ref::<&str>(), Some(&"boom in search"));
    assert_eq!(
        idx.search("hit 3 499$", &SearchOptions::new())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn progress_gives_owned_concurrent_files() {
    let t = TempTree::new();
    t.big_files(40, 256 * 1024).write(b"small.c", b"int x;\n");
    let idx = Index::open(&t.root).unwrap();
    let opts = UpdateOptions {
        threads: 2,
        full: true,
        progress_interval: Some(Duration::ZERO),
        ..Default::default()
    };
    let mut kept = Vec::new(); // owned events kept past their callbacks
    let mut busy_seen = false;
    for _ in 0..5 {
        kept.clear();
        let r = idx
            .update_with_progress(&opts, |p| {
                kept.push(p);
                ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!(
            r.files_new + r.files_changed + r.files_unchanged + r.files_touched,
            41
        );
        busy_seen = kept.iter().any(|p| !p.concurrent_files.is_empty());
        if busy_seen {
            break; // timing-dependent: retry a few full rebuilds before failing
        }
    }
    assert!(busy_seen, "no event listed a concurrent file");
    assert_eq!(kept[0].phase, Phase::Setup);
    let last = kept.last().unwrap();
    assert_eq!(last.phase, Phase::Done);
    assert_eq!((last.current, last.total), (41, 41));
    assert!(last.concurrent_files.is_empty());
    for p in &kept {
        assert_eq!(p.threads, 2);
        if p.total > 0 {
            assert!(p.current <= p.total);
            assert_eq!(p.active_threads as usize, p.concurrent_files.len());
        }
        for f in &p.concurrent_files {
            assert!(f.slot < 2);
            assert!(
                f.path.starts_with("big") || f.path == Path::new("small.c"),
                "{f:?}"
            );
            assert_eq!(
                std::fs::metadata(t.root.join(&f.path)).unwrap().len(),
                f.size
            );
            assert!(!matches!(f.status, FileStatus::Other(_)));
            assert!(!f.status.name().is_empty());
        }
    }
}

#[test]
fn cancel_and_panic_keep_previous_generation() {
    let t = sample();
    let idx = Index::open(&t.root).unwrap();
    idx.update(&UpdateOptions::default()).unwrap();
    t.write(b"new.c", b"brand_new\n");
    let mut events = 0;
    let e = idx
        .update_with_progress(&UpdateOptions::default(), |p| {
            events += 1;
            if p.phase == Phase::Hash {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert_eq!(e.code(), -8);
    assert!(events > 0);
    assert_eq!(idx.stats().unwrap().generation, 1);
    assert!(idx
        .search("brand_new", &SearchOptions::new())
        .unwrap()
        .is_empty());

    let mut calls = 0;
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = idx.update_with_progress(&UpdateOptions::default(), |_| {
            calls += 1;
            panic!("boom in progress")
        });
    }));
    assert!(r.is_err());
    assert_eq!(calls, 1); // never called again after it panicked
    assert_eq!(idx.stats().unwrap().generation, 1);

    let r = idx.update(&UpdateOptions::default()).unwrap();
    assert_eq!((r.generation, r.files_new), (2, 1));
    assert_eq!(
        idx.search("brand_new", &SearchOptions::new())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn excludes_and_skips() {
    let t = TempTree::new();
    t.write(b"bin.dat", b"x\0y")
        .write(b"big.txt", &[b'z'; 5000])
        .write(b"keep.c", b"k\n")
        .write(b"gen/out.c", b"g\n");
    let idx = Index::open(&t.root).unwrap();
    let r = idx
        .update(&UpdateOptions {
            max_file_size: Some(1000),
            excludes: vec!["gen/".into()],
            background: true, // the same files, only at a lower CPU priority
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (r.skipped.binary, r.skipped.too_large, r.skipped.excluded),
        (1, 1, 1)
    );
    assert_eq!(r.files_new, 1);
    assert_eq!(idx.stats().unwrap().skipped, r.skipped);
}

#[test]
fn handle_is_shared_across_threads() {
    let t = TempTree::new();
    for i in 0..8 {
        t.write(
            format!("f{i}.txt").as_bytes(),
            format!("needle {i}\n").as_bytes(),
        );
    }
    let idx = Index::open(&t.root).unwrap();
    idx.update(&UpdateOptions::default()).unwrap();
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..8)
            .map(|i| {
                let idx = &idx;
                s.spawn(move || {
                    idx.search(format!("needle {i}$"), &SearchOptions::new())
                        .unwrap()
                        .len()
                })
            })
            .collect();
        for h in hs {
            assert_eq!(h.join().unwrap(), 1);
        }
    });
}
