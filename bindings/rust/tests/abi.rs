//! abi.rs - checks the sizes and field offsets in sys.rs against the C header, compiled with cc.
use ::codeidx::sys::*;
use std::mem::{offset_of, size_of};
use std::path::PathBuf;
use std::process::Command;

macro_rules! layout {
    ($($t:ident { $($f:ident),* }),* $(,)?) => {{
        let mut c = String::new();
        let mut rust = String::new();
        $(
            c.push_str(&format!("\tprintf(\"{0} %zu\\n\", sizeof({0}));\n", stringify!($t)));
            rust.push_str(&format!("{} {}\n", stringify!($t), size_of::<$t>()));
            $(
                c.push_str(&format!("\tprintf(\"{0}.{1} %zu\\n\", offsetof({0}, {1}));\n",
                                    stringify!($t), stringify!($f)));
                rust.push_str(&format!("{}.{} {}\n", stringify!($t), stringify!($f), offset_of!($t, $f)));
            )*
        )*
        (c, rust)
    }};
}

#[test]
fn struct_layouts_match_the_header() {
    let (c_body, expected) = layout!(
        codeidx_open_options { version, flags },
        codeidx_concurrent_file {
            slot,
            path,
            size,
            status,
            seconds
        },
        codeidx_progress {
            phase,
            current,
            total,
            bytes_done,
            bytes_total,
            files_per_second,
            bytes_per_second,
            active_threads,
            threads,
            elapsed_seconds,
            eta_seconds,
            message,
            files,
            n_files
        },
        codeidx_update_options {
            version,
            flags,
            threads,
            max_file_size,
            excludes,
            n_excludes,
            progress,
            progress_user,
            progress_interval_ms
        },
        codeidx_update_result {
            version,
            generation,
            files_new,
            files_changed,
            files_touched,
            files_unchanged,
            files_deleted,
            bytes_indexed,
            segments_written,
            segments_merged,
            skipped,
            seconds
        },
        codeidx_stats {
            version,
            generation,
            files,
            bytes,
            segments,
            deleted_docs,
            index_bytes,
            trigrams,
            skipped
        },
        codeidx_search_options {
            version,
            flags,
            globs,
            n_globs,
            languages,
            n_languages,
            max_per_file,
            max_total,
            before,
            after,
            threads
        },
        codeidx_span { start, end },
        codeidx_match {
            path,
            line,
            column,
            text,
            text_len,
            spans,
            n_spans,
            is_context,
            file_start
        },
        codeidx_search_result {
            version,
            generation,
            files_indexed,
            candidates,
            files_matched,
            lines_matched,
            stopped
        },
    );
    let include = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../include");
    if !include.join("codeidx.h").exists() || Command::new("cc").arg("--version").output().is_err()
    {
        eprintln!("abi: no header or no cc; skipped");
        return;
    }
    let dir = std::env::temp_dir().join(format!("codeidx-abi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("layout.c");
    std::fs::write(
        &src,
        format!(
            "#include <stddef.h>\n#include <stdio.h>\n#include \"codeidx.h\"\nint main(void)\n{{\n{c_body}\treturn 0;\n}}\n"
        ),
    )
    .unwrap();
    let exe = dir.join("layout");
    let st = Command::new("cc")
        .arg("-I")
        .arg(&include)
        .arg("-o")
        .arg(&exe)
        .arg(&src)
        .status()
        .unwrap();
    assert!(st.success(), "cc failed");
    let out = Command::new(&exe).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    // Constants that must agree too.
    assert_eq!(CODEIDX_SKIP__COUNT, 7);
}
