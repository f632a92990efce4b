//! Registry secrets in the OS keyring, through the `keyring` crate: the Secret Service (GNOME
//! Keyring, KWallet) on Linux desktops, the kernel's keyutils where no Secret Service runs
//! (headless machines, CI), the macOS Keychain, the Windows Credential Manager.
//!
//! keyutils keys live in the session keyring (the user's session keyring when the process has no
//! session of its own), so they last as long as the login session, not across reboots; the
//! Secret Service keeps them on disk, encrypted.
//!
//! On Linux the store is chosen when it is first needed: `DRIFTDECK_KEYRING` (`secret-service`
//! or `keyutils`) if set, else the Secret Service when a D-Bus session is reachable and answers,
//! else keyutils. Secrets are never written anywhere else, and never printed.

use keyring::{Entry, Error as KeyringError};

use super::RegistryError;

/// The keyring service name entries are stored under.
pub const SERVICE: &str = "driftdeck-registry";
/// Environment variable that forces a Linux store.
pub const BACKEND_ENV: &str = "DRIFTDECK_KEYRING";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    #[cfg(target_os = "linux")]
    SecretService,
    #[cfg(target_os = "linux")]
    Keyutils,
    #[cfg(not(target_os = "linux"))]
    Native,
}

/// The OS keyring, with the store chosen once.
#[derive(Debug, Clone)]
pub struct SecretStore {
    backend: Backend,
}

impl SecretStore {
    /// Chooses the store (see the module docs).
    pub fn open() -> Result<SecretStore, RegistryError> {
        Ok(SecretStore { backend: choose()? })
    }

    /// The store's name as users know it.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            #[cfg(target_os = "linux")]
            Backend::SecretService => "Secret Service",
            #[cfg(target_os = "linux")]
            Backend::Keyutils => "Linux kernel keyutils",
            #[cfg(not(target_os = "linux"))]
            Backend::Native => native_name(),
        }
    }

    fn entry(&self, account: &str) -> Result<Entry, RegistryError> {
        let err = |e: KeyringError| keyring_error(self.backend_name(), "open", e);
        match self.backend {
            #[cfg(target_os = "linux")]
            Backend::SecretService => {
                let cred =
                    keyring::secret_service::SsCredential::new_with_target(None, SERVICE, account)
                        .map_err(err)?;
                Ok(Entry::new_with_credential(Box::new(cred)))
            }
            #[cfg(target_os = "linux")]
            Backend::Keyutils => {
                // Built by hand rather than with `KeyutilsCredential::new_with_target`, which
                // also links the per-user persistent keyring (KEYCTL_GET_PERSISTENT): on some
                // kernels (seen in containers) every later search of the session keyring then
                // fails with EACCES, so a stored secret could never be read back.
                let session = linux_keyutils::KeyRing::from_special_id(
                    linux_keyutils::KeyRingIdentifier::Session,
                    false,
                )
                .map_err(|e| {
                    RegistryError::Keyring(format!(
                        "cannot open the OS keyring (Linux kernel keyutils): {e}"
                    ))
                })?;
                let cred = keyring::keyutils::KeyutilsCredential {
                    session,
                    persistent: None,
                    description: format!("keyring-rs:{account}@{SERVICE}"),
                };
                Ok(Entry::new_with_credential(Box::new(cred)))
            }
            #[cfg(not(target_os = "linux"))]
            Backend::Native => Entry::new(SERVICE, account).map_err(err),
        }
    }

    /// Stores `secret` for `account`, replacing any earlier one.
    pub fn set(&self, account: &str, secret: &str) -> Result<(), RegistryError> {
        self.entry(account)?
            .set_password(secret)
            .map_err(|e| keyring_error(self.backend_name(), "store the secret in", e))
    }

    /// The secret for `account`, or `None` when there is none.
    pub fn get(&self, account: &str) -> Result<Option<String>, RegistryError> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(
                self.backend_name(),
                "read the secret from",
                e,
            )),
        }
    }

    /// Deletes the secret for `account`; false when there was none.
    pub fn delete(&self, account: &str) -> Result<bool, RegistryError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(KeyringError::NoEntry) => Ok(false),
            Err(e) => Err(keyring_error(
                self.backend_name(),
                "delete the secret from",
                e,
            )),
        }
    }
}

fn keyring_error(backend: &str, what: &str, e: KeyringError) -> RegistryError {
    RegistryError::Keyring(format!("cannot {what} the OS keyring ({backend}): {e}"))
}

#[cfg(not(target_os = "linux"))]
fn native_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(windows) {
        "Windows Credential Manager"
    } else {
        "OS keyring"
    }
}

#[cfg(not(target_os = "linux"))]
fn choose() -> Result<Backend, RegistryError> {
    Ok(Backend::Native)
}

#[cfg(target_os = "linux")]
fn choose() -> Result<Backend, RegistryError> {
    match std::env::var(BACKEND_ENV).ok().as_deref().map(str::trim) {
        Some("secret-service") => return Ok(Backend::SecretService),
        Some("keyutils") => return Ok(Backend::Keyutils),
        Some("") | None => {}
        Some(other) => {
            return Err(RegistryError::Invalid(format!(
                "{BACKEND_ENV}={other}: expected secret-service or keyutils"
            )));
        }
    }
    if secret_service_answers() {
        Ok(Backend::SecretService)
    } else {
        Ok(Backend::Keyutils)
    }
}

/// Whether a Secret Service answers on the session bus: a lookup of an entry that does not
/// exist must come back as "no entry", not as a failure to reach the service.
#[cfg(target_os = "linux")]
fn secret_service_answers() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return false;
    }
    let Ok(cred) =
        keyring::secret_service::SsCredential::new_with_target(None, SERVICE, "driftdeck-probe")
    else {
        return false;
    };
    matches!(
        Entry::new_with_credential(Box::new(cred)).get_password(),
        Ok(_) | Err(KeyringError::NoEntry)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real keyring of this machine (keyutils as root in CI; the Secret Service when a
    /// desktop session runs one).
    #[test]
    fn a_secret_round_trips_through_the_os_keyring() {
        let store = SecretStore::open().unwrap();
        let account = format!("unit-test-{}@http://127.0.0.1:1", std::process::id());
        assert_eq!(store.get(&account).unwrap(), None);
        store.set(&account, "s3cret value").unwrap();
        assert_eq!(
            store.get(&account).unwrap().as_deref(),
            Some("s3cret value")
        );
        store.set(&account, "rotated").unwrap();
        assert_eq!(store.get(&account).unwrap().as_deref(), Some("rotated"));
        assert!(store.delete(&account).unwrap());
        assert!(!store.delete(&account).unwrap());
        assert_eq!(store.get(&account).unwrap(), None);
    }
}
