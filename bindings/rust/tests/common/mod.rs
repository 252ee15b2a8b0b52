//! common/mod.rs - test helpers: temporary directory trees removed on drop.
#![allow(dead_code)]

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct TempTree {
    pub root: PathBuf,
}

impl TempTree {
    pub fn new() -> TempTree {
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let root = std::env::temp_dir().join(format!(
            "codeidx-rs-{}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            nanos
        ));
        fs::create_dir_all(&root).unwrap();
        TempTree { root }
    }

    /// Writes `content` at the relative path `rel` (raw bytes: may be invalid UTF-8).
    pub fn write(&self, rel: &[u8], content: &[u8]) -> &Self {
        let path = self.root.join(Path::new(std::ffi::OsStr::from_bytes(rel)));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        self
    }

    /// `n` files of `size` bytes under big/, so that workers are busy during events.
    pub fn big_files(&self, n: usize, size: usize) -> &Self {
        let mut text = Vec::new();
        let mut j = 0;
        while text.len() < size {
            text.extend_from_slice(
                format!("line {j} with some words {}\n", j * 7 % 1000).as_bytes(),
            );
            j += 1;
        }
        text.truncate(size);
        for i in 0..n {
            self.write(format!("big/b{i:02}.txt").as_bytes(), &text);
        }
        self
    }
}

impl Drop for TempTree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}
