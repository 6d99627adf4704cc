//! The embedded default's master key: with SQLite and no `secrets.master_key`, a random key is
//! created once in a file beside the database (mode 0600) and read on later starts. An in-memory
//! database gets a key that lives as long as the process.

use std::io::Write;

use anyhow::Context;
use tessera_domain::crypto::MasterKey;

use crate::Config;

pub fn sqlite_master_key(config: &Config) -> anyhow::Result<MasterKey> {
    let Some(db_path) = config.sqlite_path() else {
        tracing::warn!("in-memory database without secrets.master_key: using a throwaway key");
        return Ok(MasterKey::generate());
    };
    let stem = db_path.file_stem().and_then(|s| s.to_str()).unwrap_or("tessera");
    let path = db_path.with_file_name(format!("{stem}.master.key"));
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the master key file {}", path.display()))?;
        return MasterKey::from_base64(&text)
            .map_err(|e| anyhow::anyhow!("master key file {}: {e}", path.display()));
    }
    let key = MasterKey::generate();
    let mut file = crate::private_files::create_new(&path)
        .with_context(|| format!("cannot create the master key file {}", path.display()))?;
    writeln!(file, "{}", key.to_base64())?;
    file.sync_all()?;
    tracing::warn!(
        path = %path.display(),
        "created a master key file beside the SQLite database: back it up with the database, \
         without it the stored secrets cannot be opened"
    );
    Ok(key)
}
