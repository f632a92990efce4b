//! Bytes a command answers with, which the window receives as an `ArrayBuffer` (Tauri's raw
//! response, not JSON): large numeric data, read in place as typed arrays (see
//! `driftdeck::series::pack` for the layout and `ui/src/lib/series.ts` for the reader).

use tauri::ipc::{InvokeResponseBody, IpcResponse, Response};

pub struct Binary(Response);

impl Binary {
    pub fn new(bytes: Vec<u8>) -> Binary {
        Binary(Response::new(bytes))
    }
}

impl IpcResponse for Binary {
    fn body(self) -> tauri::Result<InvokeResponseBody> {
        self.0.body()
    }
}

impl specta::Type for Binary {
    fn definition(_: &mut specta::Types) -> specta::datatype::DataType {
        specta_typescript::define("ArrayBuffer").into()
    }
}
