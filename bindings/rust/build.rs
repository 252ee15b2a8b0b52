// build.rs - finds libcodeidx: CODEIDX_LIB_DIR, else the repository's build/ (make), else pkg-config.
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn has_lib(dir: &Path) -> bool {
    dir.join("libcodeidx.so").exists()
}

/// Links the shared library in `dir` and records `dir` as a run path of this package's
/// test and example binaries, so they run without LD_LIBRARY_PATH.
fn link_dir(dir: &Path) {
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-lib=dylib=codeidx");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    println!(
        "cargo:rerun-if-changed={}",
        dir.join("libcodeidx.so").display()
    );
    println!("cargo:lib_dir={}", dir.display());
}

/// Asks the `pkg-config` program (not a crate: none are available offline).
fn from_pkg_config() -> bool {
    let out = match Command::new("pkg-config")
        .args(["--libs", "codeidx"])
        .output()
    {
        Ok(o) if o.status.success() => o,
        _ => return false,
    };
    let flags = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut linked = false;
    for flag in flags.split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        } else if let Some(lib) = flag.strip_prefix("-l") {
            println!("cargo:rustc-link-lib=dylib={lib}");
            linked |= lib == "codeidx";
        }
    }
    linked
}

fn main() {
    println!("cargo:rerun-if-env-changed=CODEIDX_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-changed=build.rs");
    if let Some(dir) = env::var_os("CODEIDX_LIB_DIR") {
        let dir = PathBuf::from(dir);
        if !has_lib(&dir) {
            panic!(
                "CODEIDX_LIB_DIR={} holds no libcodeidx.so (run make)",
                dir.display()
            );
        }
        return link_dir(&dir.canonicalize().unwrap_or(dir));
    }
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"));
    let built = manifest.join("../../build");
    if has_lib(&built) {
        return link_dir(&built.canonicalize().unwrap_or(built));
    }
    if from_pkg_config() {
        return;
    }
    println!("cargo:warning=libcodeidx not found (set CODEIDX_LIB_DIR, run make, or install it); trying -lcodeidx");
    println!("cargo:rustc-link-lib=dylib=codeidx");
}
