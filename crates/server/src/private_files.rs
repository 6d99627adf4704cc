//! Files that hold secrets or personal data are readable by their owner only (mode 0600): the
//! SQLite database with its `-wal` and `-shm` files (phone numbers, password hashes), the SQLite
//! master key file and the file a generated bootstrap password is written to. The mode is set
//! when the file is created, whatever the process's umask, so there is no moment at which the
//! file is readable by others.

use std::{
    fs::{File, OpenOptions},
    io::{self, Write},
    path::{Path, PathBuf},
};

use anyhow::Context;

use crate::Config;

/// Owner read and write, nothing for group and others.
#[cfg(unix)]
const PRIVATE: u32 = 0o600;

/// Creates `path` for writing with mode 0600; fails if it exists (and follows no symbolic link).
pub fn create_new(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE);
    options.open(path)
}

/// Writes `contents` to `path`, replacing what is there: through a new 0600 file beside it,
/// renamed into place, so neither an existing file's mode nor a symbolic link at `path` is
/// inherited.
pub fn replace(path: &Path, contents: &str) -> io::Result<()> {
    let name = path.file_name().ok_or_else(|| io::Error::other("not a file name"))?;
    let mut temporary = name.to_owned();
    temporary.push(".new");
    let temporary = path.with_file_name(temporary);
    if let Err(err) = std::fs::remove_file(&temporary)
        && err.kind() != io::ErrorKind::NotFound
    {
        return Err(err);
    }
    let written = create_new(&temporary).and_then(|mut file| {
        file.write_all(contents.as_bytes())?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temporary, path)) {
        Ok(()) => Ok(()),
        Err(err) => {
            let _ = std::fs::remove_file(&temporary);
            Err(err)
        }
    }
}

/// [`prepare_sqlite`] for the configured database when it is an SQLite file (created when the
/// URL says `mode=rwc`); logs the files it narrowed.
pub fn prepare_database(config: &Config) -> anyhow::Result<()> {
    let Some(path) = config.sqlite_path() else { return Ok(()) };
    let create = config.database.url.contains("mode=rwc");
    let narrowed = prepare_sqlite(&path, create)
        .with_context(|| format!("cannot prepare the SQLite database {}", path.display()))?;
    for file in narrowed {
        tracing::warn!(path = %file.display(), "a database file was readable by others: now 0600");
    }
    Ok(())
}

/// Makes the SQLite database at `path` private before SQLite opens it: creates it empty with
/// mode 0600 when missing and `create` is set (SQLite takes an empty file for an empty database),
/// and takes the group's and others' permissions away from an existing database and its `-wal`
/// and `-shm` files. SQLite creates `-wal`, `-shm` and `-journal` files with the permissions of
/// the database file, so they are 0600 too. Returns the files whose mode was narrowed.
pub fn prepare_sqlite(path: &Path, create: bool) -> io::Result<Vec<PathBuf>> {
    if create {
        match create_new(path) {
            Ok(_) => return Ok(Vec::new()),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(err),
        }
    }
    let mut narrowed = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        if narrow(&file)? {
            narrowed.push(file);
        }
    }
    Ok(narrowed)
}

/// Takes the group's and others' permissions away from `path` if it exists; whether it did.
#[cfg(unix)]
fn narrow(path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    let mode = match std::fs::metadata(path) {
        Ok(metadata) => metadata.permissions().mode(),
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(err) => return Err(err),
    };
    if mode & 0o077 == 0 {
        return Ok(false);
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
    Ok(true)
}

#[cfg(not(unix))]
fn narrow(_path: &Path) -> io::Result<bool> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).expect("exists").permissions().mode() & 0o777
    }

    #[test]
    fn a_new_database_is_created_private_and_an_old_one_is_narrowed() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("t.db");
        assert!(prepare_sqlite(&db, false).expect("nothing to do").is_empty());
        assert!(!db.exists(), "created only when asked to");
        assert!(prepare_sqlite(&db, true).expect("created").is_empty());
        assert_eq!(mode(&db), 0o600);

        let wal = dir.path().join("t.db-wal");
        std::fs::write(&wal, "").expect("write");
        for file in [&db, &wal] {
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        }
        assert_eq!(prepare_sqlite(&db, true).expect("narrowed"), [db.clone(), wal.clone()]);
        assert_eq!((mode(&db), mode(&wal)), (0o600, 0o600));
    }

    #[test]
    fn replace_writes_a_private_file_over_an_open_one() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("password");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        replace(&path, "new\n").expect("replaced");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new\n");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1, "no file left over");
    }
}
