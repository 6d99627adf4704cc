//! Telling the operator the bootstrap admin's generated password, once, and never through the
//! log: log lines are shipped to collectors and kept, so the password goes to standard output as
//! plain text, or to the file `admin.generated_password_path` names (mode 0600), and the log only
//! says where it went.

use std::io::Write;

use tessera_domain::service::BootstrapAdmin;

use crate::{config::AdminConfig, private_files};

/// The line printed on standard output before the password (scripts and the docs look for it).
pub const PASSWORD_LINE: &str = "bootstrap platform admin \"admin\", password (shown only once):";

/// Reports what the first-start check did: where a generated password went, or that the admin
/// was created with the configured password.
pub fn announce(admin: &AdminConfig, outcome: &BootstrapAdmin) {
    match outcome {
        BootstrapAdmin::CreatedWithPassword(password) => match &admin.generated_password_path {
            Some(path) => match private_files::replace(path, &format!("{password}\n")) {
                Ok(()) => tracing::warn!(
                    username = "admin",
                    path = %path.display(),
                    "created the bootstrap platform admin; its generated password is in the file \
                     admin.generated_password_path names (mode 0600)"
                ),
                Err(err) => {
                    // Losing the password would leave no way in: fall back to standard output.
                    tracing::error!(
                        path = %path.display(),
                        error = %err,
                        "cannot write the bootstrap admin's password to \
                         admin.generated_password_path; printing it on standard output instead"
                    );
                    print_password(password);
                }
            },
            None => {
                print_password(password);
                tracing::warn!(
                    username = "admin",
                    "created the bootstrap platform admin; its generated password was printed \
                     once on standard output, not in this log"
                );
            }
        },
        BootstrapAdmin::Created => tracing::info!(
            username = "admin",
            "created the bootstrap platform admin with admin.bootstrap_password"
        ),
        BootstrapAdmin::PasswordNotApplied => tracing::warn!(
            "admin.bootstrap_password is set but not applied: it is only read when there is no \
             platform admin, and it is not the password of the account \"admin\"; to apply it, \
             run `tessera admin reset-password admin --password-file <file>`, or unset it"
        ),
        BootstrapAdmin::Existing => {}
    }
}

/// One plain line on standard output, outside the log's format and filters.
fn print_password(password: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{PASSWORD_LINE} {password}");
    let _ = out.flush();
}
