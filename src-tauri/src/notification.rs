//! Desktop notifications (freedesktop notifications over D-Bus on Linux, through notify-rust and
//! the D-Bus the keyring already links).

/// Shows a notification with `title` and `body`. Without a notification service (no desktop
/// session) this only logs: the in-app alert still shows.
pub fn show((title, body): &(String, String)) {
    let shown = notify_rust::Notification::new()
        .appname("Driftdeck")
        .summary(title)
        .body(body)
        .icon("driftdeck")
        .show();
    if let Err(e) = shown {
        eprintln!("driftdeck-app: no desktop notification ({e}): {title}: {body}");
    }
}
