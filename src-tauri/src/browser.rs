//! Links open in the system browser; the webview itself never navigates away.

use driftdeck::error::{Error, ErrorCode};

/// Opens an http(s) URL in the system browser (`xdg-open`, `open`, `start`); other schemes are
/// refused.
pub fn open(url: &str) -> Result<(), Error> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(Error::bad_input(format!(
            "{url} is not a web link (http or https)"
        )));
    }
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    std::process::Command::new(program)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| {
            Error::new(
                ErrorCode::Internal,
                format!("cannot open a browser ({program} {url}): {e}"),
            )
        })
}

/// Opens an http(s) link in the system browser.
#[tauri::command]
#[specta::specta]
pub async fn open_link(url: String) -> Result<(), Error> {
    open(&url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_are_opened() {
        for url in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "/usr/bin/xterm",
            "",
        ] {
            let err = open(url).unwrap_err();
            assert_eq!(err.code, ErrorCode::BadInput, "{url}");
        }
    }
}
