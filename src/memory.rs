//! Memory a one-shot process no longer needs.
//!
//! Freeing a parsed multi-megabyte spec walks millions of nodes: on the
//! Stripe spec, freeing the trees, the SDK model and the template context
//! took about 10 ms of `generate`'s 150 ms, just before the process exits
//! and the operating system takes the memory back anyway. Freeing it on
//! other threads did not pay on two cores, where the frees compete with the
//! work left (Stripe, after a 600 MB process: median 188 ms, against 177 ms
//! without freeing). So the binary says, once, that it is a process about to
//! end ([`leave_to_exit`]), and large values it is done with are then not
//! freed at all ([`discard`]). Everywhere else (tests, library use) they
//! are dropped as usual.

use std::sync::atomic::{AtomicBool, Ordering};

static LEAVE_TO_EXIT: AtomicBool = AtomicBool::new(false);

/// For the binary: from now on, [`discard`]ed values are left for the
/// operating system to reclaim when the process exits.
pub fn leave_to_exit() {
    LEAVE_TO_EXIT.store(true, Ordering::Relaxed);
}

/// Done with `value`: dropped now, or, in a process that will exit soon
/// ([`leave_to_exit`]), never.
pub fn discard<T>(value: T) {
    discard_with(value, LEAVE_TO_EXIT.load(Ordering::Relaxed));
}

fn discard_with<T>(value: T, leave_to_exit: bool) {
    if leave_to_exit {
        std::mem::forget(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn dropped_unless_left_to_exit() {
        let shared = Rc::new(());
        discard_with(Rc::clone(&shared), false);
        assert_eq!(Rc::strong_count(&shared), 1, "dropped");
        discard_with(Rc::clone(&shared), true);
        assert_eq!(Rc::strong_count(&shared), 2, "left alone");
    }
}
