//! Input checks that keep every name, id and path the plugin touches inside
//! its data root, or outside it where the CO owns the path.

use crate::error::PluginError;
use std::path::{Path, PathBuf};

/// The spec's limit on names and ids: 128 bytes.
pub const MAX_NAME_BYTES: usize = 128;

/// Check a CreateVolume `name`: present, at most 128 bytes, none of the control
/// characters the spec bans (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F,
/// U+007F–U+009F). The name is only ever stored in the state database, never
/// used as a path, so `../../etc` is a legal name that creates `vol-…`.
pub fn volume_name(name: &str) -> Result<(), PluginError> {
    if name.is_empty() {
        return Err(PluginError::InvalidArgument("name is required".into()));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(PluginError::InvalidArgument(format!(
            "name is {} bytes, the limit is {MAX_NAME_BYTES}",
            name.len()
        )));
    }
    let banned =
        |c: char| matches!(c as u32, 0x00..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0x7F..=0x9F);
    if let Some(c) = name.chars().find(|&c| banned(c)) {
        return Err(PluginError::InvalidArgument(format!(
            "name contains the banned control character U+{:04X}",
            c as u32
        )));
    }
    Ok(())
}

/// Check an id the CO hands back (`volume_id`, `node_id`): present, at most 128
/// bytes, only `[A-Za-z0-9._-]`, and not `.` or `..`. Volume ids become
/// directory names under the data root, so this is what stops `../../etc`.
pub fn id(field: &str, value: &str) -> Result<(), PluginError> {
    if value.is_empty() {
        return Err(PluginError::InvalidArgument(format!("{field} is required")));
    }
    if value.len() > MAX_NAME_BYTES {
        return Err(PluginError::InvalidArgument(format!(
            "{field} is {} bytes, the limit is {MAX_NAME_BYTES}",
            value.len()
        )));
    }
    let ok = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !ok || value == "." || value == ".." {
        return Err(PluginError::InvalidArgument(format!(
            "{field} {value:?} may only contain letters, digits, '.', '_' and '-'"
        )));
    }
    Ok(())
}

/// Check a node-side path (`staging_target_path`, `target_path`): present,
/// absolute, no `..` or `.` components, no NUL, and not inside the plugin's
/// data root (a target there could overwrite another volume). Returns the path.
pub fn co_path(field: &str, value: &str, data_root: &Path) -> Result<PathBuf, PluginError> {
    if value.is_empty() {
        return Err(PluginError::InvalidArgument(format!("{field} is required")));
    }
    if value.contains('\0') {
        return Err(PluginError::InvalidArgument(format!(
            "{field} contains NUL"
        )));
    }
    let path = Path::new(value);
    // `Path::is_absolute` is false for every path on wasm32-unknown-unknown (no
    // platform); a leading `/` is what it checks on Unix.
    if !value.starts_with('/') {
        return Err(PluginError::InvalidArgument(format!(
            "{field} {value:?} must be an absolute path"
        )));
    }
    // Checked on the raw string: `Path::components` silently drops `.`.
    if value.split('/').any(|c| c == "." || c == "..") {
        return Err(PluginError::InvalidArgument(format!(
            "{field} {value:?} must not contain '.' or '..'"
        )));
    }
    if path.components().count() < 2 {
        return Err(PluginError::InvalidArgument(format!(
            "{field} {value:?} must not be the root directory"
        )));
    }
    if path.starts_with(data_root) || data_root.starts_with(path) {
        return Err(PluginError::InvalidArgument(format!(
            "{field} {value:?} overlaps the plugin's data root"
        )));
    }
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cannot_climb_out() {
        for bad in ["../../etc", "..", ".", "a/b", "", "vol\0x", "é"] {
            assert!(id("volume_id", bad).is_err(), "{bad:?}");
        }
        assert!(id("volume_id", "vol-000001").is_ok());
        assert!(id("volume_id", &"a".repeat(128)).is_ok());
        assert!(id("volume_id", &"a".repeat(129)).is_err());
    }

    #[test]
    fn names_follow_the_spec() {
        assert!(volume_name(&"n".repeat(128)).is_ok());
        assert!(volume_name(&"n".repeat(129)).is_err());
        assert!(volume_name("tab\tis fine").is_ok());
        assert!(volume_name("bell\u{7}").is_err());
        assert!(volume_name("\u{85}").is_err());
        assert!(volume_name("../../etc").is_ok());
    }

    #[test]
    fn paths_must_be_absolute_and_outside_the_root() {
        let root = Path::new("/srv/csi");
        assert!(co_path("target_path", "/pods/a/vol", root).is_ok());
        for bad in [
            "relative/x",
            "/pods/../etc",
            "/pods/./x",
            "/",
            "/srv/csi/volumes/vol-000002",
            "/srv",
            "",
        ] {
            assert!(co_path("target_path", bad, root).is_err(), "{bad:?}");
        }
    }
}
