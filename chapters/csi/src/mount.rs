//! Making a volume appear at a path: a bind mount (needs root) or a symlink
//! (works for anyone).
//!
//! A bind mount makes the same directory visible at a second place in the
//! file-system tree; it is what real node plugins do (after formatting and
//! mounting a block device at the staging path). It needs `CAP_SYS_ADMIN`.
//! A symlink needs no privilege, but it is a different thing: `stat` shows a
//! link, not a directory; a process in another mount namespace (a container)
//! resolves the link inside *its own* tree, so the link leads nowhere there;
//! and `readonly` cannot be enforced. The symlink mode is for learning and for
//! unprivileged tests; the plugin reports which mode it runs in.

use crate::error::PluginError;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How the node plugin attaches a volume to a staging or target path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountMode {
    /// `mount --bind` (root only).
    Bind,
    /// A symbolic link at the path (no privilege needed).
    Symlink,
}

impl MountMode {
    /// `Bind` when running as root and a bind mount actually works here,
    /// otherwise `Symlink`.
    pub fn auto(scratch: &Path) -> Self {
        if effective_uid() == Some(0) && bind_mount_works(scratch) {
            Self::Bind
        } else {
            Self::Symlink
        }
    }

    /// The mode's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bind => "bind",
            Self::Symlink => "symlink",
        }
    }

    /// What the mode means for the staging and target paths, in short lines.
    pub fn meaning(self) -> &'static [&'static str] {
        match self {
            Self::Bind => &[
                "NodeStage bind-mounts the volume's directory at the staging path and",
                "NodePublish bind-mounts that at the pod's target: one directory seen",
                "at more paths, which `stat` and a container see as a directory (needs",
                "root; a readonly publish becomes a read-only remount)",
            ],
            Self::Symlink => &[
                "NodeStage and NodePublish put symlinks at the staging and target",
                "paths: files still land in the volume, but `stat` sees a link, a",
                "container's mount namespace can't follow it, and readonly publishes",
                "are refused (no privilege needed)",
            ],
        }
    }
}

/// What is at a path, as the file system shows it (not as the plugin's state says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attachment {
    /// Nothing is there.
    Missing,
    /// A symbolic link, pointing at this path.
    Symlink(PathBuf),
    /// A mount point (listed in `/proc/self/mountinfo`).
    MountPoint,
    /// A plain directory with nothing attached.
    Directory,
    /// Something else (a file, a socket).
    Other,
}

/// Look at `path` without following a link: what a node plugin left there.
pub fn observe(path: &Path) -> Attachment {
    match std::fs::symlink_metadata(path) {
        Err(_) => Attachment::Missing,
        Ok(m) if m.file_type().is_symlink() => {
            Attachment::Symlink(std::fs::read_link(path).unwrap_or_default())
        }
        Ok(_) if is_mount_point(path) => Attachment::MountPoint,
        Ok(m) if m.is_dir() => Attachment::Directory,
        Ok(_) => Attachment::Other,
    }
}

/// The effective user id, read from `/proc/self/status` (no `unsafe`, no libc).
pub fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

fn bind_mount_works(scratch: &Path) -> bool {
    let a = scratch.join(".probe-src");
    let b = scratch.join(".probe-dst");
    let ok = std::fs::create_dir_all(&a).is_ok()
        && std::fs::create_dir_all(&b).is_ok()
        && run(
            "mount",
            &["--bind", &a.to_string_lossy(), &b.to_string_lossy()],
        )
        .is_ok();
    if ok {
        let _ = run("umount", &[&b.to_string_lossy()]);
    }
    let _ = std::fs::remove_dir(&a);
    let _ = std::fs::remove_dir(&b);
    ok
}

fn run(program: &str, args: &[&str]) -> Result<(), PluginError> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| PluginError::Internal(format!("running {program}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(PluginError::Internal(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Is `path` a mount point? (Looked up in `/proc/self/mountinfo`.)
pub fn is_mount_point(path: &Path) -> bool {
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    let want = path.to_string_lossy();
    info.lines()
        .filter_map(|l| l.split(' ').nth(4))
        .any(|mp| unescape_mountinfo(mp) == want)
}

fn unescape_mountinfo(s: &str) -> String {
    // mountinfo escapes space, tab, newline and backslash as \ooo octal.
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 3 < bytes.len() {
            let oct = std::str::from_utf8(&bytes[i + 1..i + 4]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(oct, 8) {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Make `source` (a directory) appear at `target`. `target` may be missing, an
/// empty directory, or already attached (then nothing happens).
pub fn attach(
    mode: MountMode,
    source: &Path,
    target: &Path,
    readonly: bool,
) -> Result<(), PluginError> {
    let io = |what: &str, e: std::io::Error| {
        PluginError::Internal(format!("{what} {}: {e}", target.display()))
    };
    match mode {
        MountMode::Bind => {
            if is_mount_point(target) {
                return Ok(());
            }
            std::fs::create_dir_all(target).map_err(|e| io("creating", e))?;
            let (s, t) = (source.to_string_lossy(), target.to_string_lossy());
            run("mount", &["--bind", &s, &t])?;
            if readonly {
                run("mount", &["-o", "remount,bind,ro", &t])?;
            }
            Ok(())
        }
        MountMode::Symlink => {
            if readonly {
                return Err(PluginError::InvalidArgument(
                    "readonly publishing needs --mount-mode bind; a symlink can't be made read-only"
                        .into(),
                ));
            }
            if let Ok(meta) = std::fs::symlink_metadata(target) {
                if meta.file_type().is_symlink() {
                    if std::fs::read_link(target).ok().as_deref() == Some(source) {
                        return Ok(());
                    }
                    std::fs::remove_file(target).map_err(|e| io("replacing link", e))?;
                } else if meta.is_dir() {
                    std::fs::remove_dir(target).map_err(|_| {
                        PluginError::FailedPrecondition(format!(
                            "{} exists and is not an empty directory",
                            target.display()
                        ))
                    })?;
                } else {
                    return Err(PluginError::FailedPrecondition(format!(
                        "{} exists and is not a directory",
                        target.display()
                    )));
                }
            }
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io("creating parent of", e))?;
            }
            std::os::unix::fs::symlink(source, target).map_err(|e| io("linking", e))
        }
    }
}

/// Undo [`attach`]. With `remove_path` the path itself goes away (the spec
/// asks NodeUnpublishVolume to delete the target it created); without it an
/// empty directory is left, as an unmounted mount point would be (staging
/// paths belong to the CO).
pub fn detach(mode: MountMode, target: &Path, remove_path: bool) -> Result<(), PluginError> {
    let io = |what: &str, e: std::io::Error| {
        PluginError::Internal(format!("{what} {}: {e}", target.display()))
    };
    let meta = std::fs::symlink_metadata(target);
    match mode {
        MountMode::Bind => {
            if is_mount_point(target) {
                run("umount", &[&target.to_string_lossy()])?;
            }
            if remove_path && meta.is_ok() {
                std::fs::remove_dir(target).map_err(|e| io("removing", e))?;
            }
        }
        MountMode::Symlink => {
            if let Ok(m) = meta {
                if m.file_type().is_symlink() {
                    std::fs::remove_file(target).map_err(|e| io("unlinking", e))?;
                    if !remove_path {
                        std::fs::create_dir(target).map_err(|e| io("recreating", e))?;
                    }
                } else if remove_path && m.is_dir() {
                    std::fs::remove_dir(target).map_err(|e| io("removing", e))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_escapes_are_decoded() {
        assert_eq!(unescape_mountinfo("/a\\040b"), "/a b");
        assert_eq!(unescape_mountinfo("/plain"), "/plain");
    }

    #[test]
    fn observe_tells_a_link_from_a_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("vol");
        std::fs::create_dir(&src).expect("src");
        let at = dir.path().join("at");
        assert_eq!(observe(&at), Attachment::Missing);
        attach(MountMode::Symlink, &src, &at, false).expect("attach");
        assert_eq!(observe(&at), Attachment::Symlink(src.clone()));
        detach(MountMode::Symlink, &at, false).expect("detach");
        assert_eq!(observe(&at), Attachment::Directory);
        assert!(MountMode::Bind.meaning().len() > 1 && MountMode::Symlink.meaning().len() > 1);
    }

    #[test]
    fn symlink_attach_detach_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("vol");
        std::fs::create_dir(&src).expect("src");
        let staging = dir.path().join("staging");
        std::fs::create_dir(&staging).expect("staging");
        attach(MountMode::Symlink, &src, &staging, false).expect("attach");
        attach(MountMode::Symlink, &src, &staging, false).expect("again");
        assert!(
            std::fs::symlink_metadata(&staging)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        detach(MountMode::Symlink, &staging, false).expect("detach");
        assert!(staging.is_dir(), "staging dir is restored");
        let target = dir.path().join("pod").join("target");
        attach(MountMode::Symlink, &src, &target, false).expect("attach target");
        detach(MountMode::Symlink, &target, true).expect("detach target");
        assert!(
            std::fs::symlink_metadata(&target).is_err(),
            "target removed"
        );
    }
}
