//! Work the process need not wait for.
//!
//! Freeing a parsed multi-megabyte spec walks millions of nodes: on the
//! Stripe spec, freeing the trees and the SDK model took about 10 ms of
//! `generate`'s 150 ms, most of it just before the process exits and the
//! operating system reclaims the memory anyway.

/// Drops `value` on a thread of its own, so the caller goes on at once.
/// When the process ends first, the memory goes back with it. If no thread
/// can be started, `value` is dropped here.
pub fn drop_later<T: Send + 'static>(value: T) {
    // On failure `spawn` drops the closure, and `value` with it.
    let _ = std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    struct Signal(mpsc::Sender<()>);
    impl Drop for Signal {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }

    #[test]
    fn the_value_is_dropped() {
        let (tx, rx) = mpsc::channel();
        drop_later(Signal(tx));
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("dropped on the background thread");
    }
}
